"""Creating office hours and registering for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import lock_row, utcnow
from models.office_hours import (
    MAX_OCCURRENCES,
    Admission,
    OfficeHours,
    OfficeHoursRegistration,
    occurrence_starts,
    registration_count,
    removed_from,
    sessions_of_office_hours,
)
from models.sessions import MentoringSession, SessionKind, SessionParticipant
from models.users import User, get_profile
from server.errors import ApiError, not_found, refuse_if_over
from server.schemas import OfficeHoursIn


async def create_office_hours(
    db: AsyncSession, host: User, data: OfficeHoursIn
) -> tuple[OfficeHours, list[MentoringSession]]:
    """A series and all its occurrences, each a session of kind office_hours."""
    if not host.has_role("mentor"):
        raise ApiError(403, "not_a_mentor", "Only mentors can host office hours.")
    zone = (await get_profile(db, host.id)).timezone
    first = data.starts_at
    refuse_if_over(first, data.duration_minutes, utcnow())
    until = data.recurrence.weekly_until if data.recurrence else None
    if until is not None and until < first.date():
        raise ApiError(
            422,
            "validation_error",
            "The series must end after its first session.",
            fields={"recurrence.weekly_until": "Before the first session."},
        )
    series = OfficeHours(
        host_id=host.id,
        title=data.title,
        topic=data.topic,
        first_starts_at=first,
        duration_minutes=data.duration_minutes,
        capacity=data.capacity,
        admission=Admission(data.admission),
        timezone=zone,
        weekly_until=until,
    )
    db.add(series)
    await db.flush()
    sessions = [
        MentoringSession(
            kind=SessionKind.OFFICE_HOURS,
            title=data.title,
            starts_at=start,
            duration_minutes=data.duration_minutes,
            host_id=host.id,
            office_hours_id=series.id,
            participants=[SessionParticipant(user_id=host.id)],
        )
        for start in occurrence_starts(first, zone, until)[:MAX_OCCURRENCES]
    ]
    db.add_all(sessions)
    await db.flush()
    return series, sessions


async def register(
    db: AsyncSession, user: User, office_hours_id: int, now: datetime
) -> OfficeHours:
    """Sign up for a series: the attendee joins every occurrence that has not ended."""
    # Registrations for one series run one at a time, so the count below is never stale.
    await lock_row(db, OfficeHours, office_hours_id)
    series = await db.get(OfficeHours, office_hours_id)
    if series is None:
        raise not_found("office hours")
    if series.host_id == user.id:
        raise ApiError(409, "is_host", "You host these office hours.")
    already = await db.get(OfficeHoursRegistration, (series.id, user.id))
    if already is not None:
        return series
    if await registration_count(db, series.id) >= series.capacity:
        raise ApiError(409, "full", f"These office hours are full ({series.capacity} places).")
    db.add(OfficeHoursRegistration(office_hours_id=series.id, user_id=user.id))
    coming = [s for s in await sessions_of_office_hours(db, series.id) if s.ends_at > now]
    # Registering again does not undo a removal: that occurrence stays closed to them.
    removed = await removed_from(db, user.id, [s.id for s in coming])
    for session in coming:
        if session.id not in removed:
            db.add(SessionParticipant(session_id=session.id, user_id=user.id))
    await db.flush()
    return series


async def unregister(db: AsyncSession, user: User, office_hours_id: int, now: datetime) -> None:
    """Leave a series: future occurrences no longer include the attendee."""
    series = await db.get(OfficeHours, office_hours_id)
    if series is None or await db.get(OfficeHoursRegistration, (series.id, user.id)) is None:
        raise not_found("registration")
    await db.execute(
        delete(OfficeHoursRegistration).where(
            OfficeHoursRegistration.office_hours_id == series.id,
            OfficeHoursRegistration.user_id == user.id,
        )
    )
    future = [s.id for s in await sessions_of_office_hours(db, series.id) if s.ends_at > now]
    await db.execute(
        delete(SessionParticipant).where(
            SessionParticipant.session_id.in_(future), SessionParticipant.user_id == user.id
        )
    )
