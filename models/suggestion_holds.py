"""Top suggestions held for a mentee, so no mentor is top pick for more mentees than places."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class SuggestionHold(Base):
    """One of a mentor's open places, held for a mentee who was shown them as a top pick."""

    __tablename__ = "suggestion_holds"

    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    held_until: Mapped[datetime]


async def held_by_others(db: AsyncSession, mentee_id: int, now: datetime) -> dict[int, int]:
    """Per mentor, how many other mentees hold one of their places right now."""
    result = await db.execute(
        select(SuggestionHold.mentor_id, func.count())
        .where(SuggestionHold.mentee_id != mentee_id, SuggestionHold.held_until > now)
        .group_by(SuggestionHold.mentor_id)
    )
    return {int(mentor): int(count) for mentor, count in result.all()}


async def replace_holds(
    db: AsyncSession, mentee_id: int, mentor_ids: Sequence[int], until: datetime
) -> None:
    """The mentee now holds a place with exactly these mentors, until `until`."""
    await release_holds(db, mentee_id)
    db.add_all(
        SuggestionHold(mentee_id=mentee_id, mentor_id=m, held_until=until) for m in mentor_ids
    )
    await db.flush()


async def release_holds(db: AsyncSession, mentee_id: int) -> None:
    """The mentee gives back every place held for them (they asked someone, or moved on)."""
    await db.execute(delete(SuggestionHold).where(SuggestionHold.mentee_id == mentee_id))
