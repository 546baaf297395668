"""Who could meet in person, where and when; and proposing, answering and exporting meetups.

Privacy rules enforced here (docs/privacy.md): other people's points never leave this module;
their distance is only ever given as a band; reach is compared in bands, so trying every
`max_travel_km` teaches nothing finer; the place suggested with a stranger is derived from the
requester's own city only; the suggested place is a real city, never a midpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.availability import shared_slots
from models.base import utcnow
from models.geo import (
    banded_distance_km,
    banded_reach_km,
    distance_band,
    haversine_km,
    haversine_km_array,
    within_banded_reach,
)
from models.meeting_place import Objective, suggest_meeting_place
from models.meetups import (
    AttendanceMode,
    Meetup,
    MeetupMode,
    MeetupParticipant,
    Response,
    get_meetup_for,
)
from models.mentorships import MentorshipStatus, mentorships_of
from models.nearby import group_by_metro
from models.office_hours import (
    Decision,
    OfficeHours,
    OfficeHoursDecision,
    OfficeHoursRegistration,
)
from models.places import CityTable, Place
from models.sessions import MentoringSession
from models.users import Profile, User, users_by_ids
from server.errors import ApiError, not_found, refuse_if_over
from server.schemas import MeetupIn
from server.services.contact import unreachable
from server.services.geocoding import Geocoding
from server.services.meetup_sessions import sync_session

MATCH_HINTS = 3
METRO_RADIUS_KM = 50.0


@dataclass
class Suggestion:
    """A reason to meet: who, roughly how far apart, where, when and why."""

    kind: str  # "mentorship", "match" or "group"
    with_ids: list[int]
    distance_band: str
    place: Place
    your_travel_km: float
    others_travel_band: dict[int, str]
    times: list[datetime]
    reason: str
    names: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Spot:
    """Someone open to meetups whose stored point is known: never leaves this module."""

    user_id: int
    lat: float
    lon: float
    max_travel_km: float
    timezone: str


def _spot(profile: Profile | None) -> _Spot | None:
    if profile is None or not profile.open_to_meetups:
        return None
    if profile.latitude is None or profile.longitude is None:
        return None
    return _Spot(
        profile.user_id,
        profile.latitude,
        profile.longitude,
        float(profile.max_travel_km),
        profile.timezone,
    )


def _spots(profiles: list[Profile]) -> list[_Spot]:
    return [spot for p in profiles if (spot := _spot(p)) is not None]


async def _profiles(db: AsyncSession, user_ids: set[int]) -> dict[int, Profile]:
    if not user_ids:
        return {}
    result = await db.execute(select(Profile).where(Profile.user_id.in_(user_ids)))
    return {p.user_id: p for p in result.scalars()}


def _suggest(
    cities: CityTable,
    me: _Spot,
    others: list[_Spot],
    kind: str,
    reason: str,
    now: datetime,
    objective: Objective = Objective.FAIREST,
    *,
    is_stranger: bool = False,
) -> Suggestion:
    group = [me, *others]
    # With a stranger, a place between us would point at where they live: suggest my own city.
    placed = [me] if is_stranger else group
    meeting = suggest_meeting_place(
        cities, [p.lat for p in placed], [p.lon for p in placed], objective=objective
    )
    farthest = max(haversine_km(me.lat, me.lon, o.lat, o.lon) for o in others)
    if is_stranger:
        travel = [meeting.travel_km[0]] + [
            haversine_km(o.lat, o.lon, meeting.place.lat, meeting.place.lon) for o in others
        ]
    else:
        travel = list(meeting.travel_km)
    return Suggestion(
        kind=kind,
        with_ids=[o.user_id for o in others],
        distance_band=distance_band(farthest).value,
        place=meeting.place,
        your_travel_km=round(travel[0], 1),
        others_travel_band={
            o.user_id: distance_band(km).value for o, km in zip(others, travel[1:], strict=True)
        },
        times=shared_slots([p.timezone for p in group], now),
        reason=reason,
    )


def _within_reach(a: _Spot, b: _Spot) -> bool:
    distance = haversine_km(a.lat, a.lon, b.lat, b.lon)
    return within_banded_reach(distance, a.max_travel_km, b.max_travel_km)


def _shuffled(viewer_id: int, other_id: int) -> bytes:
    """A stable order that is not distance: ties within a band reveal nothing about who is
    nearer."""
    return hashlib.sha256(f"{viewer_id}:{other_id}".encode()).digest()


async def suggestions_for(
    db: AsyncSession, load_cities: Callable[[], Awaitable[CityTable]], user: User, now: datetime
) -> list[Suggestion]:
    """Meetups to suggest to `user`: their mentorships, nearby matches, office-hours groups."""
    me = _spot((await _profiles(db, {user.id})).get(user.id))
    if me is None:
        return []
    # Loaded only for someone who takes part: the table costs a second the first time.
    cities = await load_cities()
    suggestions: list[Suggestion] = []

    active = [m for m in await mentorships_of(db, user.id) if m.status == MentorshipStatus.ACTIVE]
    partner_ids = {m.mentee_id if m.mentor_id == user.id else m.mentor_id for m in active}
    for partner in _spots(list((await _profiles(db, partner_ids)).values())):
        if _within_reach(me, partner):
            suggestions.append(
                _suggest(
                    cities,
                    me,
                    [partner],
                    "mentorship",
                    "You work together and both live close enough to meet.",
                    now,
                )
            )

    suggestions.extend(await _match_hints(db, cities, user, me, partner_ids, now))
    suggestions.extend(await _groups(db, cities, user, me, now))

    names = await users_by_ids(db, [uid for s in suggestions for uid in s.with_ids])
    for suggestion in suggestions:
        suggestion.names = {uid: names[uid].name for uid in suggestion.with_ids if uid in names}
    return suggestions


async def _match_hints(
    db: AsyncSession, cities: CityTable, user: User, me: _Spot, exclude: set[int], now: datetime
) -> list[Suggestion]:
    """The nearest people of the other role, both willing to travel that far."""
    want = "mentor" if user.has_role("mentee") else "mentee" if user.has_role("mentor") else None
    if want is None:
        return []
    result = await db.execute(
        select(User, Profile)
        .join(Profile, Profile.user_id == User.id)
        .where(Profile.open_to_meetups.is_(True), Profile.latitude.is_not(None), User.id != user.id)
    )
    candidates = _spots([p for u, p in result.all() if u.has_role(want) and u.id not in exclude])
    if not candidates or banded_reach_km(me.max_travel_km) == 0:
        return []
    distances = haversine_km_array(
        me.lat, me.lon, [p.lat for p in candidates], [p.lon for p in candidates]
    )
    # Eligibility and order use banded values only, so no sequence of queries, from any number
    # of accounts, narrows a stranger down below the band they are in.
    eligible = sorted(
        (
            (banded_distance_km(float(km)), _shuffled(user.id, other.user_id), other)
            for other, km in zip(candidates, distances, strict=True)
            if within_banded_reach(float(km), me.max_travel_km, other.max_travel_km)
        ),
        key=lambda entry: (entry[0], entry[1]),
    )
    return [
        _suggest(
            cities,
            me,
            [other],
            "match",
            f"A {want} near you who is open to meeting in person.",
            now,
            is_stranger=True,
        )
        for _, _, other in eligible[:MATCH_HINTS]
    ]


async def _groups(
    db: AsyncSession, cities: CityTable, user: User, me: _Spot, now: datetime
) -> list[Suggestion]:
    """Office-hours groups whose members around the user's metro area could meet together."""
    series = (
        (
            await db.execute(
                select(OfficeHours)
                .outerjoin(OfficeHoursRegistration)
                .where(
                    (OfficeHours.host_id == user.id) | (OfficeHoursRegistration.user_id == user.id)
                )
            )
        )
        .scalars()
        .unique()
        .all()
    )
    if not series:
        return []
    # Every series' members and their profiles in two queries, not two per series.
    member_ids: dict[int, set[int]] = {each.id: {each.host_id} for each in series}
    registrations = await db.execute(
        select(OfficeHoursRegistration.office_hours_id, OfficeHoursRegistration.user_id).where(
            OfficeHoursRegistration.office_hours_id.in_(member_ids)
        )
    )
    for series_id, member_id in registrations:
        member_ids[series_id].add(member_id)
    # Removal means removal: whoever the host removed from an occurrence is out of the group.
    removed = await db.execute(
        select(MentoringSession.office_hours_id, OfficeHoursDecision.user_id)
        .join(OfficeHoursDecision, OfficeHoursDecision.session_id == MentoringSession.id)
        .where(
            MentoringSession.office_hours_id.in_(member_ids),
            OfficeHoursDecision.decision == Decision.REMOVED,
        )
    )
    for removed_from, member_id in removed:
        member_ids.get(removed_from or 0, set()).discard(member_id)
    profiles = await _profiles(db, set().union(*member_ids.values()))
    found: list[Suggestion] = []
    for each in series:
        members = _spots([profiles[uid] for uid in sorted(member_ids[each.id]) if uid in profiles])
        others = _metro_group(me, members)
        if len(others) >= 2:
            found.append(
                _suggest(
                    cities,
                    me,
                    others,
                    "group",
                    f"{len(others) + 1} people from “{each.title}” live in your area.",
                    now,
                    objective=Objective.LEAST_TOTAL,
                )
            )
    return found


def _metro_group(me: _Spot, members: list[_Spot]) -> list[_Spot]:
    """The others in `me`'s metro-area group (three or more) who are within banded reach."""
    if len(members) < 3:  # a pair is a match, not a group
        return []
    groups = group_by_metro(
        [p.user_id for p in members],
        [p.lat for p in members],
        [p.lon for p in members],
        radius_km=METRO_RADIUS_KM,
        min_size=3,
    )
    by_id = {p.user_id: p for p in members}
    mine = next((g for g in groups if me.user_id in g), [])
    others = [by_id[int(str(uid))] for uid in mine if uid != me.user_id]
    # Everyone's own reach counts, in bands, as for pairs.
    return [other for other in others if _within_reach(me, other)]


async def nearby_group(
    db: AsyncSession, cities: CityTable, host_id: int, member_ids: set[int]
) -> tuple[set[int], Place] | None:
    """Of `member_ids`, those who could meet `host_id` in person, and the place that costs the
    group least travel; None when the host cannot meet (no city, or meetups off)."""
    profiles = await _profiles(db, member_ids | {host_id})
    me = _spot(profiles.get(host_id))
    if me is None:
        return None
    everyone = sorted(member_ids | {host_id})
    others = _metro_group(me, _spots([profiles[u] for u in everyone if u in profiles]))
    group = [me, *others]
    meeting = suggest_meeting_place(
        cities, [p.lat for p in group], [p.lon for p in group], objective=Objective.LEAST_TOTAL
    )
    return {o.user_id for o in others}, meeting.place


async def propose(db: AsyncSession, geocoding: Geocoding, user: User, data: MeetupIn) -> Meetup:
    """Propose a meetup in a named city; the proposer has accepted already."""
    refuse_if_over(data.starts_at, data.duration_minutes, utcnow())
    invited = set(data.participant_ids) - {user.id}
    if not invited:
        raise ApiError(
            422,
            "validation_error",
            "Invite at least one other person.",
            fields={"participant_ids": "Name someone to meet."},
        )
    known = await users_by_ids(db, list(invited))
    if set(known) != invited:
        raise ApiError(
            422,
            "validation_error",
            "Some of these people do not exist.",
            fields={"participant_ids": "Unknown users."},
        )
    # Consent before contact: strangers get a request, kept apart from their meetups.
    asked = await unreachable(db, user.id, invited)
    located = await geocoding.locate(data.place.name, data.place.country)
    if located is None:
        raise ApiError(
            422,
            "unknown_place",
            f"We could not find {data.place.name!r}.",
            fields={"place": "Unknown place."},
        )
    meetup = Meetup(
        proposer_id=user.id,
        place_name=located.name,
        place_country=located.country,
        place_latitude=located.latitude,
        place_longitude=located.longitude,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        mode=MeetupMode(data.mode),
        participants=[
            MeetupParticipant(
                user_id=user.id, response=Response.ACCEPTED, attendance=AttendanceMode.IN_PERSON
            )
        ]
        + [MeetupParticipant(user_id=uid, is_request=uid in asked) for uid in sorted(invited)],
    )
    meetup.settle()
    db.add(meetup)
    await db.flush()
    return meetup


async def answer(db: AsyncSession, user: User, meetup_id: int, *, accept: bool) -> Meetup:
    """Accept or decline an invitation."""
    meetup = await get_meetup_for(db, meetup_id, user.id)
    if meetup is None:
        raise not_found("meetup")
    mine = meetup.response_of(user.id)
    assert mine is not None
    mine.response = Response.ACCEPTED if accept else Response.DECLINED
    mine.is_request = False
    meetup.settle()
    await sync_session(db, meetup, utcnow())
    return meetup


async def reschedule(db: AsyncSession, user: User, meetup_id: int, starts_at: datetime) -> Meetup:
    """Move the meetup: everyone but the mover answers again."""
    meetup = await get_meetup_for(db, meetup_id, user.id)
    if meetup is None:
        raise not_found("meetup")
    refuse_if_over(starts_at, meetup.duration_minutes, utcnow())
    meetup.starts_at = starts_at
    for participant in meetup.participants:
        participant.response = (
            Response.ACCEPTED if participant.user_id == user.id else Response.PENDING
        )
    meetup.settle()
    await sync_session(db, meetup, utcnow())
    return meetup
