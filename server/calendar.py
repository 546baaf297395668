"""Calendar export: a meetup as an iCalendar (.ics) event."""

from __future__ import annotations

import uuid

from icalendar import Calendar, Event, vCalAddress, vText

from models.meetups import Meetup, MeetupStatus
from models.users import User


def calendar_identity(host: str, user_id: int) -> str:
    """A calendar attendee's address that is not their e-mail: a name-based UUID URN."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://{host}/users/{user_id}").urn


def meetup_ics(meetup: Meetup, people: dict[int, User], host: str) -> bytes:
    """One VEVENT for the meetup, in UTC, with every participant as an attendee."""
    calendar = Calendar()
    calendar.add("prodid", "-//Tandem//Mentoring meetups//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meetup-{meetup.id}@{host}")
    event.add("dtstamp", meetup.updated_at)
    event.add("dtstart", meetup.starts_at)
    event.add("dtend", meetup.ends_at)
    names = ", ".join(people[p.user_id].name for p in meetup.participants if p.user_id in people)
    event.add("summary", f"Tandem meetup: {names}")
    event.add("location", vText(f"{meetup.place_name}, {meetup.place_country}".strip(", ")))
    event.add(
        "description",
        "In-person mentoring meetup arranged on Tandem. Pick a public venue in the city together.",
    )
    event.add("status", "CONFIRMED" if meetup.status == MeetupStatus.ACCEPTED else "TENTATIVE")
    for participant in meetup.participants:
        person = people.get(participant.user_id)
        if person is None:
            continue
        # Never an e-mail address: a stable identity that names the person on this server only.
        attendee = vCalAddress(calendar_identity(host, person.id))
        attendee.params["cn"] = vText(person.name)
        attendee.params["partstat"] = vText(
            participant.response.value.upper().replace("PENDING", "NEEDS-ACTION")
        )
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()
