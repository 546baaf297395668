"""Booked time: holds that the database itself keeps from overlapping, and what makes people busy.

Each booked session holds its time for each participant. PostgreSQL refuses overlapping
live holds of one person with an exclusion constraint on a time range; SQLite does the same
with triggers, which run inside its single-writer transaction (migration 0009_booking).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.meetups import Meetup, MeetupParticipant, MeetupStatus
from models.sessions import MentoringSession, SessionParticipant
from models.slots import Interval

# The name both databases report when a hold would overlap another one.
HOLD_CONFLICT = "session_holds_no_overlap"


class SessionHold(Base):
    """One participant's claim on a session's time; released when the session is cancelled."""

    __tablename__ = "session_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    is_released: Mapped[bool] = mapped_column(Boolean, default=False)


def is_hold_conflict(error: IntegrityError) -> bool:
    """Whether a failed write collided with another live hold (a double booking)."""
    return HOLD_CONFLICT in str(error.orig) or getattr(error.orig, "sqlstate", None) == "23P01"


async def hold_time(db: AsyncSession, session: MentoringSession) -> None:
    """Hold the session's time for every participant; raises IntegrityError on overlap."""
    await db.execute(
        update(SessionHold)
        .where(SessionHold.session_id == session.id, SessionHold.is_released.is_(False))
        .values(is_released=True)
    )
    db.add_all(
        SessionHold(
            session_id=session.id,
            user_id=user_id,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
        )
        for user_id in session.participant_ids
    )
    await db.flush()


async def release_time(db: AsyncSession, session_id: int) -> None:
    """Free a cancelled session's time."""
    await db.execute(
        update(SessionHold).where(SessionHold.session_id == session_id).values(is_released=True)
    )


async def busy_intervals(
    db: AsyncSession,
    user_ids: Collection[int],
    start: datetime,
    end: datetime,
    *,
    except_session: int | None = None,
) -> list[Interval]:
    """When any of the users is taken between start and end: their sessions (one-on-one
    and office hours, not cancelled) and their accepted meetups."""
    longest = timedelta(days=1)  # no session or meetup lasts longer; lets SQL narrow by start
    sessions = await db.execute(
        select(MentoringSession.starts_at, MentoringSession.duration_minutes)
        .join(SessionParticipant)
        .where(
            SessionParticipant.user_id.in_(set(user_ids)),
            MentoringSession.cancelled_at.is_(None),
            MentoringSession.starts_at < end,
            MentoringSession.starts_at > start - longest,
            MentoringSession.id != (except_session or -1),
        )
    )
    meetups = await db.execute(
        select(Meetup.starts_at, Meetup.duration_minutes)
        .join(MeetupParticipant)
        .where(
            MeetupParticipant.user_id.in_(set(user_ids)),
            Meetup.status == MeetupStatus.ACCEPTED,
            Meetup.starts_at < end,
            Meetup.starts_at > start - longest,
        )
    )
    found = [
        (starts, starts + timedelta(minutes=minutes))
        for starts, minutes in [*sessions.all(), *meetups.all()]
    ]
    return [(s, e) for s, e in found if e > start]


async def booked_starts(
    db: AsyncSession,
    mentor_id: int,
    mentee_id: int,
    start: datetime,
    end: datetime,
    *,
    except_session: int | None = None,
) -> list[datetime]:
    """Start times of the mentee's live bookings with this mentor: counted for the weekly cap
    (a session being moved does not count against its own new time)."""
    result = await db.execute(
        select(MentoringSession.starts_at)
        .join(SessionParticipant)
        .where(
            MentoringSession.host_id == mentor_id,
            SessionParticipant.user_id == mentee_id,
            MentoringSession.cancelled_at.is_(None),
            MentoringSession.starts_at >= start,
            MentoringSession.starts_at < end,
            MentoringSession.id != (except_session or -1),
        )
    )
    return list(result.scalars())


async def bookings_since(db: AsyncSession, mentor_id: int, mentee_id: int, since: datetime) -> int:
    """How many sessions the mentee booked with the mentor since then, cancelled ones included."""
    result = await db.execute(
        select(func.count())
        .select_from(MentoringSession)
        .join(SessionParticipant)
        .where(
            MentoringSession.host_id == mentor_id,
            SessionParticipant.user_id == mentee_id,
            MentoringSession.created_at >= since,
        )
    )
    return int(result.scalar_one())
