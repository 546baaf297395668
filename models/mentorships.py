"""Mentorships: a mentee asks a mentor, the mentor accepts or declines."""

from __future__ import annotations

import enum
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, String, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class MentorshipStatus(enum.StrEnum):
    """Where a mentorship stands."""

    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"
    EXPIRED = "expired"  # nobody answered in time


class Mentorship(Base):
    """A mentor and a mentee working together over many sessions."""

    __tablename__ = "mentorships"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MentorshipStatus] = mapped_column(
        Enum(
            MentorshipStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=MentorshipStatus.REQUESTED,
    )
    message: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # When the mentor accepted or declined; how fast mentors answer is measured from it.
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Why a request closed without the mentor's own answer ("expired", "not_taking_mentees").
    closed_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    end_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    @property
    def is_read_only(self) -> bool:
        """Whether the mentorship is over: its goals and notes stay readable, not editable."""
        return self.status == MentorshipStatus.ENDED

    def involves(self, user_id: int) -> bool:
        """Whether `user_id` is the mentor or the mentee."""
        return user_id in (self.mentor_id, self.mentee_id)


async def mentorships_of(db: AsyncSession, user_id: int) -> Sequence[Mentorship]:
    """Every mentorship the user is part of, newest first."""
    result = await db.execute(
        select(Mentorship)
        .where(or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id))
        .order_by(Mentorship.created_at.desc(), Mentorship.id.desc())
    )
    return result.scalars().all()


async def open_mentorship_between(
    db: AsyncSession, mentor_id: int, mentee_id: int
) -> Mentorship | None:
    """A requested or active mentorship between the two, if there is one."""
    result = await db.execute(
        select(Mentorship).where(
            Mentorship.mentor_id == mentor_id,
            Mentorship.mentee_id == mentee_id,
            Mentorship.status.in_([MentorshipStatus.REQUESTED, MentorshipStatus.ACTIVE]),
        )
    )
    return result.scalars().first()


async def active_mentee_count(db: AsyncSession, mentor_id: int) -> int:
    """How many active mentorships the mentor has: compared with their capacity."""
    result = await db.execute(
        select(func.count()).where(
            Mentorship.mentor_id == mentor_id, Mentorship.status == MentorshipStatus.ACTIVE
        )
    )
    return int(result.scalar_one())


OPEN_STATUSES = (MentorshipStatus.REQUESTED, MentorshipStatus.ACTIVE)


async def expire_stale_requests(db: AsyncSession, now: datetime, max_age: timedelta) -> int:
    """Close requests nobody answered within `max_age`; returns how many expired."""
    result = await db.execute(
        update(Mentorship)
        .where(
            Mentorship.status == MentorshipStatus.REQUESTED,
            Mentorship.created_at <= now - max_age,
        )
        .values(status=MentorshipStatus.EXPIRED, closed_reason="expired", ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def decline_pending(db: AsyncSession, mentor_id: int, now: datetime) -> int:
    """Decline, politely, every request waiting for a mentor who stopped taking mentees."""
    result = await db.execute(
        update(Mentorship)
        .where(Mentorship.mentor_id == mentor_id, Mentorship.status == MentorshipStatus.REQUESTED)
        .values(
            status=MentorshipStatus.DECLINED,
            closed_reason="not_taking_mentees",
            answered_at=now,
            ended_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def taken_places(db: AsyncSession) -> dict[int, int]:
    """Per mentor, places taken by active mentorships and requests still waiting."""
    result = await db.execute(
        select(Mentorship.mentor_id, func.count())
        .where(Mentorship.status.in_(OPEN_STATUSES))
        .group_by(Mentorship.mentor_id)
    )
    return {int(mentor_id): int(count) for mentor_id, count in result.all()}


async def open_pairs(db: AsyncSession) -> set[tuple[int, int]]:
    """(mentor, mentee) of every requested or active mentorship."""
    result = await db.execute(
        select(Mentorship.mentor_id, Mentorship.mentee_id).where(
            Mentorship.status.in_(OPEN_STATUSES)
        )
    )
    return {(int(a), int(b)) for a, b in result.all()}


@dataclass(frozen=True)
class AnswerRecord:
    """How a mentor deals with requests: answered of received, and the median wait in hours."""

    received: int
    answered: int
    median_hours: float | None


async def answer_record(db: AsyncSession, mentor_id: int) -> AnswerRecord:
    """The mentor's record over requests that are no longer waiting."""
    result = await db.execute(
        select(Mentorship.created_at, Mentorship.answered_at, Mentorship.started_at).where(
            Mentorship.mentor_id == mentor_id,
            Mentorship.status != MentorshipStatus.REQUESTED,
        )
    )
    rows = result.all()
    # Requests accepted before answer times were kept count from when the mentorship started.
    waits = [
        (when - created).total_seconds() / 3600
        for created, answered, started in rows
        if (when := answered or started) is not None
    ]
    median = float(statistics.median(waits)) if waits else None
    return AnswerRecord(len(rows), len(waits), median)


async def last_answer_at(db: AsyncSession, user_id: int) -> datetime | None:
    """When the mentor last answered a request."""
    result = await db.execute(
        select(func.max(Mentorship.answered_at)).where(Mentorship.mentor_id == user_id)
    )
    value: datetime | None = result.scalar_one()
    return value


async def mentors_asked_by(db: AsyncSession, mentee_id: int) -> set[int]:
    """Every mentor the mentee ever asked, whatever became of it: not suggested again."""
    result = await db.execute(
        select(Mentorship.mentor_id).where(Mentorship.mentee_id == mentee_id).distinct()
    )
    return {int(mentor_id) for mentor_id in result.scalars()}
