"""Check-ins: who was at a meetup's place, the in-person side of attendance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class CheckIn(Base):
    """One participant present at the place: by the code on their phone, or ticked by the host."""

    __tablename__ = "check_ins"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_ticked_by_host: Mapped[bool] = mapped_column(Boolean, default=False)


async def check_in(
    db: AsyncSession, session_id: int, user_id: int, *, by_host: bool, now: datetime
) -> CheckIn:
    """Record the user as present; checking in twice keeps the first time."""
    row = await db.get(CheckIn, (session_id, user_id))
    if row is None:
        row = CheckIn(
            session_id=session_id, user_id=user_id, checked_in_at=now, is_ticked_by_host=by_host
        )
        db.add(row)
        await db.flush()
    return row


async def check_ins_of(db: AsyncSession, session_id: int) -> Sequence[CheckIn]:
    """Everyone checked in to the session, earliest first."""
    result = await db.execute(
        select(CheckIn).where(CheckIn.session_id == session_id).order_by(CheckIn.checked_in_at)
    )
    return result.scalars().all()
