"""Reminders 24 hours and 15 minutes before sessions, office hours and meetups; no-shows.

Jobs are planned into the database ahead of time and each is claimed by exactly one server
process (see models.reminders), so they survive restarts and several processes never send
the same reminder twice. At send time a job is skipped when its item was cancelled, moved or
has already started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import utcnow
from models.meetups import Meetup, MeetupParticipant, MeetupStatus
from models.no_shows import NoShow, absentees, sessions_to_check
from models.notifications import NotificationKind
from models.reminders import LEADS, ItemKind, ReminderJob, claim_due, finish, plan
from models.sessions import MentoringSession, SessionParticipant
from models.users import users_by_ids
from server.services.booking_notices import local_time, zones_of
from server.services.check_ins import ask_for_check_ins
from server.services.notifications import Notice, Notifier, Outgoing, record

log = logging.getLogger(__name__)

# Jobs are planned this far ahead, so a restart or a slow loop never misses one.
PLAN_AHEAD = timedelta(hours=25)
# A reminder whose time passed longer ago than this is no longer worth sending.
STALE = timedelta(minutes=10)
_WORDS = {"24h": "in 24 hours", "15m": "in 15 minutes"}


class Reminders:
    """One process's share of the reminder work."""

    def __init__(self, db: async_sessionmaker[AsyncSession], notifier: Notifier) -> None:
        self.db = db
        self.notifier = notifier
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]

    async def plan(self, now: datetime) -> None:
        """Store a job per person, item and lead for everything starting soon."""
        async with self.db() as db:
            sessions = await db.execute(
                select(MentoringSession.id, MentoringSession.starts_at, SessionParticipant.user_id)
                .join(SessionParticipant)
                .where(
                    MentoringSession.cancelled_at.is_(None),
                    MentoringSession.starts_at > now,
                    MentoringSession.starts_at <= now + PLAN_AHEAD,
                )
            )
            meetups = await db.execute(
                select(Meetup.id, Meetup.starts_at, MeetupParticipant.user_id)
                .join(MeetupParticipant)
                .where(
                    Meetup.status == MeetupStatus.ACCEPTED,
                    Meetup.session_id.is_(None),  # its session is reminded instead
                    Meetup.starts_at > now,
                    Meetup.starts_at <= now + PLAN_AHEAD,
                )
            )
            jobs: list[dict[str, object]] = []
            for kind, rows in ((ItemKind.SESSION, sessions), (ItemKind.MEETUP, meetups)):
                for item_id, starts_at, user_id in rows:
                    for lead, ahead in LEADS.items():
                        due = starts_at - ahead
                        if due > now - STALE:
                            jobs.append(
                                {
                                    "item_kind": kind.value,
                                    "item_id": item_id,
                                    "user_id": user_id,
                                    "lead": lead,
                                    "due_at": due,
                                    "claimed_by": "",
                                    "outcome": "",
                                }
                            )
            await plan(db, jobs)
            await db.commit()

    async def _notice(self, db: AsyncSession, job: ReminderJob, now: datetime) -> Notice | None:
        """The reminder to send, or None when the item is off, moved, or under way."""
        if job.item_kind == ItemKind.SESSION:
            session = await db.get(MentoringSession, job.item_id)
            if session is None or session.is_cancelled:
                return None
            starts_at, title, url = session.starts_at, session.title, f"/sessions/{session.id}"
        else:
            meetup = await db.get(Meetup, job.item_id)
            if meetup is None or meetup.status != MeetupStatus.ACCEPTED:
                return None
            starts_at, title, url = meetup.starts_at, "In-person meetup", f"/meetups/{meetup.id}"
        if starts_at <= now or starts_at - LEADS[job.lead] != job.due_at:
            return None
        if now - job.due_at > STALE:
            return None
        zone = (await zones_of(db, [job.user_id]))[job.user_id]
        return Notice(
            user_id=job.user_id,
            kind=NotificationKind.REMINDER,
            title=f"Reminder: {title} starts {_WORDS[job.lead]}",
            body=f"Starts {local_time(starts_at, zone)}.",
            url=url,
        )

    async def send_due(self, now: datetime) -> int:
        """Claim due jobs and send each; returns how many reminders went out."""
        async with self.db() as db:
            jobs = await claim_due(db, self.worker, now)
            await db.commit()
        sent = 0
        for job in jobs:
            async with self.db() as db:
                notice = await self._notice(db, job, now)
                told: list[Outgoing] = await record(db, [notice]) if notice else []
                await finish(db, job.id, "sent" if notice else "skipped", now)
                await db.commit()
            self.notifier.deliver(told)
            sent += bool(told)
        return sent

    async def mark_no_shows(self, now: datetime) -> None:
        """Mark sides that never joined; the other side is told and can correct it."""
        async with self.db() as db:
            told: list[Outgoing] = []
            for session in await sessions_to_check(db, now):
                missing = await absentees(db, session)
                if not missing or len(missing) == len(session.participant_ids):
                    continue  # nobody came at all: not one side's no-show
                people = await users_by_ids(db, session.participant_ids)
                for user_id in missing:
                    db.add(NoShow(session_id=session.id, user_id=user_id))
                    others = [u for u in session.participant_ids if u != user_id]
                    name = people[user_id].name if user_id in people else "Someone"
                    told += await record(
                        db,
                        [
                            Notice(
                                user_id=other,
                                kind=NotificationKind.NO_SHOW,
                                title=f"{name} did not join {session.title}",
                                body="Marked as a no-show. If they did come, correct it on "
                                "the session page.",
                                url=f"/sessions/{session.id}",
                            )
                            for other in others
                        ],
                    )
            await db.commit()
        self.notifier.deliver(told)

    async def tick(self, now: datetime | None = None) -> int:
        """One round: plan, send what is due, mark no-shows, ask for check-ins."""
        now = now or utcnow()
        await self.plan(now)
        sent = await self.send_due(now)
        await self.mark_no_shows(now)
        await self.ask_for_check_ins(now)
        return sent

    async def ask_for_check_ins(self, now: datetime) -> None:
        """Each side of a session that just ended is asked for a check-in, once."""
        async with self.db() as db:
            told = await ask_for_check_ins(db, now)
            await db.commit()
        self.notifier.deliver(told)


@contextlib.asynccontextmanager
async def running_reminders(
    db: async_sessionmaker[AsyncSession], notifier: Notifier, interval_seconds: int
) -> AsyncIterator[Reminders]:
    """Run `Reminders.tick` every `interval_seconds` (never when 0) while the app runs."""
    reminders = Reminders(db, notifier)

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                await reminders.tick()
            except Exception:  # a database hiccup must not end the loop
                log.exception("reminder round failed (worker %s)", reminders.worker)

    task = asyncio.create_task(loop()) if interval_seconds > 0 else None
    try:
        yield reminders
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
