"""No-shows: a side that neither joined a session's room nor checked in at its place in time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.check_ins import CheckIn
from models.sessions import Attendance, MentoringSession, SessionKind, with_participants

GRACE = timedelta(minutes=10)


class NoShow(Base):
    """One participant marked absent from one session; the other side may correct it."""

    __tablename__ = "no_shows"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_corrected: Mapped[bool] = mapped_column(Boolean, default=False)


async def sessions_to_check(db: AsyncSession, now: datetime) -> Sequence[MentoringSession]:
    """One-on-one and meetup sessions whose grace period ended in the last day, not cancelled."""
    result = await db.execute(
        select(MentoringSession)
        .where(
            MentoringSession.kind.in_(
                [SessionKind.ONE_ON_ONE, SessionKind.IN_PERSON, SessionKind.HYBRID]
            ),
            MentoringSession.cancelled_at.is_(None),
            MentoringSession.starts_at <= now - GRACE,
            MentoringSession.starts_at > now - timedelta(days=1),
        )
        .options(with_participants())
    )
    return result.scalars().all()


async def absentees(db: AsyncSession, session: MentoringSession) -> list[int]:
    """Participants who neither joined nor checked in within the grace period, not yet marked."""
    joined = await db.execute(
        select(Attendance.user_id).where(
            Attendance.session_id == session.id,
            Attendance.joined_at <= session.starts_at + GRACE,
        )
    )
    checked_in = await db.execute(
        select(CheckIn.user_id).where(
            CheckIn.session_id == session.id,
            CheckIn.checked_in_at <= session.starts_at + GRACE,
        )
    )
    marked = await db.execute(select(NoShow.user_id).where(NoShow.session_id == session.id))
    present = set(joined.scalars()) | set(checked_in.scalars()) | set(marked.scalars())
    return [uid for uid in session.participant_ids if uid not in present]


async def no_show_counts(db: AsyncSession, user_ids: Sequence[int]) -> dict[int, int]:
    """Uncorrected no-shows per user, for mentors and programme admins."""
    if not user_ids:
        return {}
    result = await db.execute(
        select(NoShow.user_id, func.count())
        .where(NoShow.user_id.in_(set(user_ids)), NoShow.is_corrected.is_(False))
        .group_by(NoShow.user_id)
    )
    return {uid: int(n) for uid, n in result}
