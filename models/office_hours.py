"""Group office hours: a mentor's recurring open sessions, and who registered for them."""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.sessions import MentoringSession, SessionParticipant, with_participants

MAX_OCCURRENCES = 52


class Admission(enum.StrEnum):
    """Whether attendees walk straight in or wait in a lobby for the host."""

    OPEN = "open"
    LOBBY = "lobby"


class OfficeHours(Base):
    """A series of group sessions hosted by one mentor."""

    __tablename__ = "office_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(Text, default="")
    first_starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    admission: Mapped[Admission] = mapped_column(
        Enum(Admission, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e])
    )
    # Weekly repeats keep the host's local wall-clock time across daylight-saving changes.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekly_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficeHoursRegistration(Base):
    """An attendee signed up for a series."""

    __tablename__ = "office_hours_registrations"

    office_hours_id: Mapped[int] = mapped_column(
        ForeignKey("office_hours.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(enum.StrEnum):
    """What the host decided about an attendee, for one occurrence."""

    ADMITTED = "admitted"  # let in from the lobby: reconnects walk straight back in
    REMOVED = "removed"  # refused until the occurrence ends


class OfficeHoursDecision(Base):
    """The host's latest decision about one attendee of one occurrence, kept across restarts."""

    __tablename__ = "office_hours_decisions"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    decision: Mapped[Decision] = mapped_column(
        Enum(Decision, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e])
    )
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


async def decisions_of(db: AsyncSession, session_id: int) -> dict[int, Decision]:
    """The host's decisions about this occurrence's attendees, by user id."""
    result = await db.execute(
        select(OfficeHoursDecision.user_id, OfficeHoursDecision.decision).where(
            OfficeHoursDecision.session_id == session_id
        )
    )
    return {user_id: decision for user_id, decision in result}


async def record_decision(
    db: AsyncSession, session_id: int, user_id: int, decision: Decision
) -> None:
    """Remember a decision; a later one about the same person replaces it. A removal also takes
    the person out of the occurrence: no ticket, notes, agenda or dashboard entry for it."""
    row = await db.get(OfficeHoursDecision, (session_id, user_id))
    if row is None:
        db.add(OfficeHoursDecision(session_id=session_id, user_id=user_id, decision=decision))
    else:
        row.decision, row.decided_at = decision, utcnow()
    if decision == Decision.REMOVED:
        await db.execute(
            delete(SessionParticipant).where(
                SessionParticipant.session_id == session_id, SessionParticipant.user_id == user_id
            )
        )


async def removed_from(db: AsyncSession, user_id: int, session_ids: Collection[int]) -> set[int]:
    """Which of these occurrences the host removed `user_id` from."""
    if not session_ids:
        return set()
    result = await db.execute(
        select(OfficeHoursDecision.session_id).where(
            OfficeHoursDecision.user_id == user_id,
            OfficeHoursDecision.session_id.in_(set(session_ids)),
            OfficeHoursDecision.decision == Decision.REMOVED,
        )
    )
    return set(result.scalars())


def occurrence_starts(first: datetime, zone: str, weekly_until: date | None) -> list[datetime]:
    """Start times of every occurrence: the same local time each week, up to `weekly_until`."""
    tz = ZoneInfo(zone)
    local = first.astimezone(tz)
    starts = [first]
    if weekly_until is None:
        return starts
    for week in range(1, MAX_OCCURRENCES):
        day = local.date() + timedelta(weeks=week)
        if day > weekly_until:
            break
        wall = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz)
        starts.append(wall.astimezone(first.tzinfo))
    return starts


async def sessions_of_office_hours(
    db: AsyncSession, office_hours_id: int
) -> Sequence[MentoringSession]:
    """The occurrences of a series in time order."""
    return (await occurrences_by_series(db, [office_hours_id])).get(office_hours_id, [])


async def occurrences_by_series(
    db: AsyncSession, office_hours_ids: Collection[int]
) -> dict[int, list[MentoringSession]]:
    """Each series' occurrences in time order, in one query; series without any are left out."""
    if not office_hours_ids:
        return {}
    result = await db.execute(
        select(MentoringSession)
        .where(MentoringSession.office_hours_id.in_(set(office_hours_ids)))
        .options(with_participants())
        .order_by(MentoringSession.starts_at, MentoringSession.id)
    )
    found: dict[int, list[MentoringSession]] = {}
    for session in result.scalars():
        assert session.office_hours_id is not None
        found.setdefault(session.office_hours_id, []).append(session)
    return found


async def registration_count(db: AsyncSession, office_hours_id: int) -> int:
    """How many attendees registered for a series."""
    return (await registration_counts(db, [office_hours_id])).get(office_hours_id, 0)


async def registration_counts(
    db: AsyncSession, office_hours_ids: Collection[int]
) -> dict[int, int]:
    """How many attendees registered for each series, in one query; zero counts are left out."""
    if not office_hours_ids:
        return {}
    result = await db.execute(
        select(OfficeHoursRegistration.office_hours_id, func.count())
        .where(OfficeHoursRegistration.office_hours_id.in_(set(office_hours_ids)))
        .group_by(OfficeHoursRegistration.office_hours_id)
    )
    return {series_id: int(count) for series_id, count in result}


async def registered_ids(db: AsyncSession, user_id: int) -> set[int]:
    """Ids of the series the user registered for."""
    result = await db.execute(
        select(OfficeHoursRegistration.office_hours_id).where(
            OfficeHoursRegistration.user_id == user_id
        )
    )
    return set(result.scalars())


async def upcoming_office_hours(db: AsyncSession, now: datetime) -> Sequence[OfficeHours]:
    """Series with an occurrence that has not ended yet, soonest first."""
    ends = MentoringSession.starts_at  # filtered precisely below; SQL narrows by start
    result = await db.execute(
        select(OfficeHours)
        .join(MentoringSession, MentoringSession.office_hours_id == OfficeHours.id)
        .where(ends > now - timedelta(hours=8))
        .group_by(OfficeHours.id)
        .order_by(func.min(MentoringSession.starts_at))
    )
    return result.scalars().all()
