"""From office hours to a hybrid meetup: nearby attendees meet at a fair place, the rest by video.

Who is "nearby" is decided exactly as for the group suggestions (the host's metro-area group,
each pair within banded reach), so the answer teaches nobody anything finer than those do. The
occurrence stays an office-hours session: its room (the SFU) takes every remote attendee.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.meetups import (
    AttendanceMode,
    Meetup,
    MeetupMode,
    MeetupParticipant,
    Response,
    meetup_of_session,
)
from models.office_hours import OfficeHours, OfficeHoursRegistration, sessions_of_office_hours
from models.sessions import MentoringSession, SessionKind, SessionParticipant
from models.users import User
from server.errors import ApiError, not_found, refuse_if_over
from server.schemas import HybridOfficeHoursIn
from server.services.contact import unreachable
from server.services.geocoding import Geocoding
from server.services.meetup_sessions import new_check_in_code
from server.services.meetups import nearby_group


async def _occurrence(
    db: AsyncSession, series: OfficeHours, starts_at: datetime, now: datetime
) -> MentoringSession:
    """The occurrence starting then, or an extra one made for the meetup."""
    refuse_if_over(starts_at, series.duration_minutes, now)
    for session in await sessions_of_office_hours(db, series.id):
        if session.starts_at == starts_at and not session.is_cancelled:
            return session
    registered = await db.execute(
        select(OfficeHoursRegistration.user_id).where(
            OfficeHoursRegistration.office_hours_id == series.id
        )
    )
    attendees = set(registered.scalars()) | {series.host_id}
    session = MentoringSession(
        kind=SessionKind.OFFICE_HOURS,
        title=series.title,
        starts_at=starts_at,
        duration_minutes=series.duration_minutes,
        host_id=series.host_id,
        office_hours_id=series.id,
        participants=[SessionParticipant(user_id=uid) for uid in sorted(attendees)],
    )
    db.add(session)
    await db.flush()
    return session


async def make_hybrid(
    db: AsyncSession,
    geocoding: Geocoding,
    host: User,
    office_hours_id: int,
    data: HybridOfficeHoursIn,
    now: datetime,
) -> Meetup:
    """Turn one occurrence hybrid: invite nearby attendees in person, keep the others remote."""
    series = await db.get(OfficeHours, office_hours_id)
    if series is None or series.host_id != host.id:
        raise not_found("office hours of yours")
    session = await _occurrence(db, series, data.starts_at, now)
    if await meetup_of_session(db, session.id) is not None:
        raise ApiError(409, "already_hybrid", "That occurrence already has a meetup.")
    attendees = set(session.participant_ids) - {host.id}
    found = await nearby_group(db, await geocoding.cities(), host.id, attendees)
    if found is None:
        raise ApiError(
            409, "no_location", "Set your city and turn meetups on in your profile first."
        )
    nearby, fair = found
    if not nearby:
        raise ApiError(
            409,
            "nobody_nearby",
            "None of the attendees lives within reach of you: keep this one a video session.",
        )
    name, country, lat, lon = fair.name, fair.country, fair.lat, fair.lon
    if data.place is not None:
        located = await geocoding.locate(data.place.name, data.place.country)
        if located is None:
            raise ApiError(
                422,
                "unknown_place",
                f"We could not find {data.place.name!r}.",
                fields={"place": "Unknown place."},
            )
        name, country, lat, lon = (
            located.name,
            located.country,
            located.latitude,
            located.longitude,
        )
    asked = await unreachable(db, host.id, attendees)
    meetup = Meetup(
        proposer_id=host.id,
        place_name=name,
        place_country=country,
        place_latitude=lat,
        place_longitude=lon,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        mode=MeetupMode.HYBRID,
        session_id=session.id,
        check_in_code=new_check_in_code(),
        participants=[
            MeetupParticipant(
                user_id=host.id, response=Response.ACCEPTED, attendance=AttendanceMode.IN_PERSON
            )
        ]
        + [
            # Nearby people are asked; the others already come by video and stay remote.
            MeetupParticipant(
                user_id=uid,
                response=Response.PENDING if uid in nearby else Response.ACCEPTED,
                attendance=AttendanceMode.IN_PERSON if uid in nearby else AttendanceMode.REMOTE,
                is_request=uid in asked,
            )
            for uid in sorted(attendees)
        ],
    )
    meetup.settle()
    db.add(meetup)
    await db.flush()
    return meetup
