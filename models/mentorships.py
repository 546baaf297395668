"""Mentorships: a mentee asks a mentor, the mentor accepts or declines."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class MentorshipStatus(enum.StrEnum):
    """Where a mentorship stands."""

    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


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
