"""Session agendas and the action items that come out of sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

# Ready-made agendas: (title, minutes) per kind of session.
AGENDA_TEMPLATES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "first_meeting": (
        "First meeting",
        [
            ("Introductions and backgrounds", 10),
            ("What the mentee wants to achieve", 15),
            ("How we will work together: cadence, channels, expectations", 10),
            ("Next steps", 5),
        ],
    ),
    "goal_review": (
        "Goal review",
        [
            ("Progress since last time", 10),
            ("Goals: on track, stuck, or changed?", 15),
            ("Obstacles and how to get past them", 10),
            ("Action items for next time", 5),
        ],
    ),
    "office_hours": (
        "Office hours",
        [
            ("Welcome and ground rules", 5),
            ("Questions from the hand queue", 40),
            ("Wrap-up and resources", 5),
        ],
    ),
}


class AgendaItem(Base):
    """One point to cover in a session, in order."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goals.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionItem(Base):
    """Something someone promised to do, with an owner and a due date."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)


async def agenda_of(db: AsyncSession, session_id: int) -> Sequence[AgendaItem]:
    """A session's agenda in order."""
    result = await db.execute(
        select(AgendaItem)
        .where(AgendaItem.session_id == session_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    return result.scalars().all()


async def next_position(db: AsyncSession, session_id: int) -> int:
    """The position after the last item."""
    result = await db.execute(
        select(func.max(AgendaItem.position)).where(AgendaItem.session_id == session_id)
    )
    last = result.scalar_one_or_none()
    return 0 if last is None else last + 1


async def move_item(db: AsyncSession, item: AgendaItem, position: int) -> None:
    """Put `item` at `position` (clamped), renumbering the rest 0..n-1."""
    items = [i for i in await agenda_of(db, item.session_id) if i.id != item.id]
    position = max(0, min(position, len(items)))
    items.insert(position, item)
    for index, each in enumerate(items):
        each.position = index


async def action_items_of_session(db: AsyncSession, session_id: int) -> Sequence[ActionItem]:
    """A session's action items, oldest first."""
    result = await db.execute(
        select(ActionItem).where(ActionItem.session_id == session_id).order_by(ActionItem.id)
    )
    return result.scalars().all()


async def open_action_items_of(db: AsyncSession, user_id: int) -> Sequence[ActionItem]:
    """A user's unfinished action items across sessions, soonest due first."""
    result = await db.execute(
        select(ActionItem)
        .where(ActionItem.owner_id == user_id, ActionItem.done.is_(False))
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    )
    return result.scalars().all()
