"""Calendar export: sessions, office-hours occurrences and meetups as iCalendar (.ics).

People appear by name with a `urn:uuid:` address: nobody's e-mail address is ever written
into a calendar file. Each item keeps one UID for life; SEQUENCE rises on every change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from icalendar import Calendar, Event, vCalAddress, vText

from models.base import utcnow
from models.meetups import Meetup, MeetupStatus
from models.sessions import MentoringSession
from models.users import User


@dataclass(frozen=True)
class Site:
    """Where Tandem is reached: links back from calendars, and the domain of every UID."""

    base_url: str

    @property
    def domain(self) -> str:
        """The public host name."""
        return urlsplit(self.base_url).hostname or "localhost"

    def link(self, path: str) -> str:
        """An absolute link to one of our pages."""
        return self.base_url.rstrip("/") + path

    def person(self, user_id: int) -> str:
        """A stable, opaque calendar address for a user (never their e-mail address)."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.base_url}/users/{user_id}')}"


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Tandem//Mentoring//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _attendee(site: Site, user: User, partstat: str = "ACCEPTED") -> vCalAddress:
    attendee = vCalAddress(site.person(user.id))
    attendee.params["cn"] = vText(user.name)
    attendee.params["partstat"] = vText(partstat)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    return attendee


def _organizer(site: Site, host: User | None) -> vCalAddress:
    # Invitations need an organizer; it is the server's own no-reply address.
    organizer = vCalAddress(f"mailto:no-reply@{site.domain}")
    organizer.params["cn"] = vText(host.name if host else "Tandem")
    return organizer


def session_event(
    session: MentoringSession, people: dict[int, User], site: Site, *, title: str | None = None
) -> Event:
    """One VEVENT for a session or office-hours occurrence, in UTC, linking to its page."""
    page = site.link(f"/sessions/{session.id}")
    event = Event()
    event.add("uid", f"session-{session.id}@{site.domain}")
    event.add("sequence", session.sequence)
    event.add("dtstamp", utcnow())
    event.add("created", session.created_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"Tandem: {title or session.title}")
    description = f"Session page and video call: {page}"
    if session.is_cancelled:
        event.add("status", "CANCELLED")
        if session.cancel_reason:
            description = f"Cancelled: {session.cancel_reason}\n{description}"
    else:
        event.add("status", "CONFIRMED")
    event.add("description", description)
    event.add("url", page)
    event.add("location", page)
    event.add("organizer", _organizer(site, people.get(session.host_id)), encode=False)
    for user_id in session.participant_ids:
        if user_id in people:
            event.add("attendee", _attendee(site, people[user_id]), encode=False)
    return event


def meetup_event(meetup: Meetup, people: dict[int, User], site: Site) -> Event:
    """One VEVENT for a meetup, in UTC, with every participant's answer."""
    event = Event()
    event.add("uid", f"meetup-{meetup.id}@{site.domain}")
    # Meetups change rarely; seconds since creation only ever grow, as SEQUENCE must.
    event.add("sequence", int((meetup.updated_at - meetup.created_at).total_seconds()))
    event.add("dtstamp", meetup.updated_at)
    event.add("dtstart", meetup.starts_at)
    event.add("dtend", meetup.ends_at)
    names = ", ".join(people[p.user_id].name for p in meetup.participants if p.user_id in people)
    event.add("summary", f"Tandem meetup: {names}")
    event.add("location", vText(f"{meetup.place_name}, {meetup.place_country}".strip(", ")))
    event.add(
        "description",
        "In-person mentoring meetup arranged on Tandem. Pick a public venue in the city together."
        f"\n{site.link(f'/meetups/{meetup.id}')}",
    )
    event.add("url", site.link(f"/meetups/{meetup.id}"))
    status = {MeetupStatus.ACCEPTED: "CONFIRMED", MeetupStatus.DECLINED: "CANCELLED"}
    event.add("status", status.get(meetup.status, "TENTATIVE"))
    for participant in meetup.participants:
        person = people.get(participant.user_id)
        if person is not None:
            answer = participant.response.value.upper().replace("PENDING", "NEEDS-ACTION")
            event.add("attendee", _attendee(site, person, answer), encode=False)
    return event


def to_ics(events: Iterable[Event], *, method: str = "PUBLISH", name: str | None = None) -> bytes:
    """A calendar file holding `events`; REQUEST and CANCEL make mail clients offer RSVP."""
    calendar = _calendar(method)
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def meetup_ics(meetup: Meetup, people: dict[int, User], site: Site) -> bytes:
    """One meetup as a downloadable .ics file."""
    return to_ics([meetup_event(meetup, people, site)])


def session_ics(
    session: MentoringSession, people: dict[int, User], site: Site, *, method: str = "PUBLISH"
) -> bytes:
    """One session as a .ics file; method REQUEST or CANCEL for mailed invitations."""
    return to_ics([session_event(session, people, site)], method=method)


def feed_ics(
    sessions: Sequence[MentoringSession],
    meetups: Sequence[Meetup],
    people: dict[int, User],
    site: Site,
    owner: User,
) -> bytes:
    """A user's private feed: their sessions (cancelled ones marked so) and meetups."""
    events = [session_event(s, people, site) for s in sessions]
    events += [meetup_event(m, people, site) for m in meetups]
    return to_ics(events, name=f"Tandem: {owner.name}")


def _utc_stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def add_to_calendar_links(session: MentoringSession, site: Site) -> dict[str, str]:
    """Google and Outlook "add to calendar" links for a session page."""
    page = site.link(f"/sessions/{session.id}")
    title = f"Tandem: {session.title}"
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{_utc_stamp(session.starts_at)}/{_utc_stamp(session.ends_at)}",
            "details": f"Session page and video call: {page}",
            "location": page,
        }
    )
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            "startdt": session.starts_at.isoformat(),
            "enddt": session.ends_at.isoformat(),
            "body": f"Session page and video call: {page}",
            "location": page,
        }
    )
    return {"google": google, "outlook": outlook}
