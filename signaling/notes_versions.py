"""Version history: record the notes as they stood when each session ended."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import utcnow
from models.sessions import MentoringSession
from signaling.notes_sync import NotesHub

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=1)
# After a restart, sessions that ended this long ago still get their version.
CATCH_UP = timedelta(days=1)
LONGEST_SESSION = timedelta(minutes=480)


async def ended_between(db: AsyncSession, start: datetime, end: datetime) -> list[int]:
    """Ids of sessions whose scheduled end falls in (start, end]."""
    result = await db.execute(
        select(MentoringSession).where(
            MentoringSession.starts_at > start - LONGEST_SESSION, MentoringSession.starts_at <= end
        )
    )
    return [s.id for s in result.scalars() if start < s.ends_at <= end]


async def record_ended(
    hub: NotesHub, db: async_sessionmaker[AsyncSession], start: datetime, end: datetime
) -> int:
    """Label the notes of every session that ended in (start, end]; how many sessions."""
    async with db() as session:
        ended = await ended_between(session, start, end)
    for session_id in ended:
        await hub.end_session(session_id)
    return len(ended)


async def record_versions_forever(
    hub: NotesHub, db: async_sessionmaker[AsyncSession], every: timedelta = CHECK_EVERY
) -> None:
    """The background task: each minute, version the notes of sessions that just ended."""
    checked_until = utcnow() - CATCH_UP
    while True:
        now = utcnow()
        try:
            count = await record_ended(hub, db, checked_until, now)
            if count:
                log.info("recorded end-of-session notes for %d sessions", count)
            checked_until = now
        except Exception:  # a database hiccup must not stop versioning for good
            log.exception("could not record end-of-session notes; retrying")
        await asyncio.sleep(every.total_seconds())
