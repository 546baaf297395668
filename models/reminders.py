"""Reminder jobs: stored in the database, claimed by exactly one server process each."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

# How long a claim lasts: a process that died mid-send gives its jobs back after this.
CLAIM_LEASE = timedelta(minutes=5)


class ItemKind(enum.StrEnum):
    """What a reminder is about."""

    SESSION = "session"  # one-on-one sessions and office-hours occurrences
    MEETUP = "meetup"


LEADS = {"24h": timedelta(hours=24), "15m": timedelta(minutes=15)}


class ReminderJob(Base):
    """Remind one person of one item at one time before it starts."""

    __tablename__ = "reminder_jobs"
    __table_args__ = (UniqueConstraint("item_kind", "item_id", "user_id", "lead", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lead: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[datetime] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True, default=None)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    done_at: Mapped[datetime | None] = mapped_column(nullable=True, default=None)
    outcome: Mapped[str] = mapped_column(String(16), default="")  # sent, skipped


async def plan(db: AsyncSession, jobs: Sequence[dict[str, object]]) -> None:
    """Store jobs, ignoring those already planned (several processes plan the same ones)."""
    if not jobs:
        return
    dialect = db.bind.dialect.name if db.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await db.execute(insert(ReminderJob).values(list(jobs)).on_conflict_do_nothing())


async def claim_due(
    db: AsyncSession, worker: str, now: datetime, *, limit: int = 50
) -> list[ReminderJob]:
    """Claim due jobs for `worker`: rows another process holds are skipped, never shared.

    PostgreSQL locks the chosen rows with FOR UPDATE SKIP LOCKED; SQLite runs the whole
    UPDATE under its single writer lock. Commit right after, then send.
    """
    due = (
        select(ReminderJob.id)
        .where(
            ReminderJob.done_at.is_(None),
            ReminderJob.due_at <= now,
            (ReminderJob.claimed_at.is_(None)) | (ReminderJob.claimed_at < now - CLAIM_LEASE),
        )
        .order_by(ReminderJob.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await db.execute(
        update(ReminderJob)
        .where(ReminderJob.id.in_(due.scalar_subquery()))
        .values(claimed_at=now, claimed_by=worker)
        .returning(ReminderJob.id)
    )
    ids = list(claimed.scalars())
    if not ids:
        return []
    rows = await db.execute(
        select(ReminderJob).where(ReminderJob.id.in_(ids)).order_by(ReminderJob.due_at)
    )
    return list(rows.scalars())


async def finish(db: AsyncSession, job_id: int, outcome: str, now: datetime) -> None:
    """Record that a job was sent or skipped, so no process picks it up again."""
    await db.execute(
        update(ReminderJob).where(ReminderJob.id == job_id).values(done_at=now, outcome=outcome)
    )
