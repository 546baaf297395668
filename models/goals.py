"""Goals of a mentorship, their milestones, and the check-ins after each session."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

# Ratings stay hidden from the other side until at least this many exist (anonymity).
RATING_THRESHOLD = 3


class GoalStatus(enum.StrEnum):
    """Where a goal stands."""

    ACTIVE = "active"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class Goal(Base):
    """What a mentorship is for: a title, why it matters, and a target date."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        ForeignKey("mentorships.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text, default="")
    target_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[GoalStatus] = mapped_column(
        Enum(
            GoalStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=GoalStatus.ACTIVE,
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    achieved_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Milestone(Base):
    """A step towards a goal; ticked in a session, it remembers which one."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
    done_in_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_done(self) -> bool:
        """Whether the milestone is reached."""
        return self.done_at is not None


class SessionFeedback(Base):
    """One participant's check-in after a session; the private note is for its author only."""

    __tablename__ = "session_feedback"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The person the rating is about: the other side of a one-on-one session.
    about_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    went_well: Mapped[str] = mapped_column(String(2000), default="")
    private_note: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def goals_of(db: AsyncSession, mentorship_id: int) -> Sequence[Goal]:
    """A mentorship's goals, oldest first."""
    result = await db.execute(
        select(Goal).where(Goal.mentorship_id == mentorship_id).order_by(Goal.id)
    )
    return result.scalars().all()


async def milestones_of(db: AsyncSession, goal_ids: Sequence[int]) -> dict[int, list[Milestone]]:
    """Milestones per goal, by due date then creation."""
    found: dict[int, list[Milestone]] = {gid: [] for gid in goal_ids}
    if not goal_ids:
        return found
    result = await db.execute(
        select(Milestone)
        .where(Milestone.goal_id.in_(set(goal_ids)))
        .order_by(Milestone.due_on.is_(None), Milestone.due_on, Milestone.id)
    )
    for milestone in result.scalars():
        found[milestone.goal_id].append(milestone)
    return found


async def feedback_of(db: AsyncSession, session_id: int, user_id: int) -> SessionFeedback | None:
    """The user's own check-in for a session, if given."""
    result = await db.execute(
        select(SessionFeedback).where(
            SessionFeedback.session_id == session_id, SessionFeedback.user_id == user_id
        )
    )
    return result.scalar_one_or_none()


async def ratings_about(db: AsyncSession, user_id: int) -> list[int]:
    """Every rating given about `user_id`, oldest first (values only: never who gave them)."""
    result = await db.execute(
        select(SessionFeedback.rating)
        .where(SessionFeedback.about_id == user_id)
        .order_by(SessionFeedback.id)
    )
    return [int(r) for r in result.scalars()]


async def goals_at_a_glance(
    db: AsyncSession, mentorship_ids: Sequence[int]
) -> dict[int, list[tuple[Goal, int, int]]]:
    """Per mentorship, each goal with its milestones done and in all: for dashboards."""
    found: dict[int, list[tuple[Goal, int, int]]] = {mid: [] for mid in mentorship_ids}
    if not mentorship_ids:
        return found
    goals = (
        (await db.execute(select(Goal).where(Goal.mentorship_id.in_(set(mentorship_ids)))))
        .scalars()
        .all()
    )
    steps = await milestones_of(db, [g.id for g in goals])
    for goal in sorted(goals, key=lambda g: g.id):
        done = sum(m.is_done for m in steps[goal.id])
        found[goal.mentorship_id].append((goal, done, len(steps[goal.id])))
    return found
