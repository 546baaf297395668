"""Reminders: stored jobs sent exactly once by several processes, skipped when cancelled,
kept across a restart; no-shows from room attendance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models.base import utcnow
from models.calendar_feeds import CalendarFeed  # noqa: F401  (every table known)
from models.database import create_engine, create_session_factory
from models.meetups import Meetup, MeetupParticipant, MeetupStatus
from models.no_shows import NoShow
from models.notifications import Notification
from models.reminders import ReminderJob
from models.sessions import Attendance, MentoringSession, SessionKind, SessionParticipant
from models.users import User
from server.app import create_app
from server.calendar import Site
from server.services.mail import Mailer
from server.services.notifications import NotificationHub, Notifier
from server.services.reminders import Reminders
from server.settings import Settings

T0 = utcnow().replace(microsecond=0) + timedelta(days=3)


@pytest.fixture
async def people(engine: AsyncEngine) -> list[int]:
    async with AsyncSession(engine, expire_on_commit=False) as db:
        users = [
            User(
                email=f"u{n}@example.org",
                email_normalized=f"u{n}@example.org",
                name=f"User {n}",
                password_hash="-",
                roles=["mentor"],
            )
            for n in range(4)
        ]
        db.add_all(users)
        await db.commit()
        return [u.id for u in users]


async def _sessions(engine: AsyncEngine, people: list[int], starts: list[int]) -> list[int]:
    """One-on-one sessions of the first two people starting `starts` minutes after T0."""
    async with AsyncSession(engine, expire_on_commit=False) as db:
        made = [
            MentoringSession(
                kind=SessionKind.ONE_ON_ONE,
                title=f"Session {minutes}",
                starts_at=T0 + timedelta(minutes=minutes),
                duration_minutes=30,
                host_id=people[0],
                participants=[SessionParticipant(user_id=u) for u in people[:2]],
            )
            for minutes in starts
        ]
        db.add_all(made)
        await db.commit()
        return [s.id for s in made]


@pytest.fixture
async def instance(database_url: str, tmp_path: Path) -> AsyncIterator[object]:
    """A factory of 'server processes': each its own engine, notifier and outbox."""
    engines: list[AsyncEngine] = []

    def make(name: str) -> tuple[Reminders, AsyncEngine]:
        engine = create_engine(database_url)
        engines.append(engine)
        mailer = Mailer(None, tmp_path / f"outbox-{name}")
        notifier = Notifier(NotificationHub(), mailer, Site("http://t.example"), "t@t.example")
        return Reminders(create_session_factory(engine), notifier), engine

    yield make
    for engine in engines:
        await engine.dispose()


def _mail_files(root: Path) -> int:
    return len(list(root.glob("outbox-*/*.eml")))


async def _count(engine: AsyncEngine, model: type[object]) -> int:
    async with AsyncSession(engine, expire_on_commit=False) as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_two_processes_send_each_reminder_once(
    engine: AsyncEngine, people: list[int], instance: object, tmp_path: Path
) -> None:
    await _sessions(engine, people, list(range(16, 26)))  # 15-minute reminders due T0+1..10
    make = instance  # type: ignore[assignment]
    first, _ = make("a")  # type: ignore[operator]
    second, _ = make("b")  # type: ignore[operator]
    await asyncio.gather(first.plan(T0), second.plan(T0))
    assert await _count(engine, ReminderJob) == 10 * 2  # the 24-hour ones are long past
    now = T0 + timedelta(minutes=10)
    sent = await asyncio.gather(first.send_due(now), second.send_due(now), first.send_due(now))
    assert sum(sent) == 20
    async with AsyncSession(engine, expire_on_commit=False) as db:
        titles = (await db.execute(select(Notification.user_id, Notification.title))).all()
    assert len(titles) == 20 == len(set(titles))
    await first.notifier.drain()
    await second.notifier.drain()
    assert _mail_files(tmp_path) == 20
    assert await first.send_due(now + timedelta(minutes=1)) == 0


async def test_none_for_a_cancelled_session_and_none_lost_across_a_restart(
    engine: AsyncEngine, people: list[int], instance: object
) -> None:
    kept, called_off = await _sessions(engine, people, [20, 21])
    make = instance  # type: ignore[assignment]
    before, before_engine = make("before")  # type: ignore[operator]
    await before.plan(T0)
    await before_engine.dispose()  # the process stops before anything is due
    async with AsyncSession(engine, expire_on_commit=False) as db:
        session = await db.get(MentoringSession, called_off)
        assert session is not None
        session.cancelled_at = T0
        await db.commit()
    after, _ = make("after")  # type: ignore[operator]
    assert await after.send_due(T0 + timedelta(minutes=6)) == 2
    async with AsyncSession(engine, expire_on_commit=False) as db:
        titles = set((await db.execute(select(Notification.title))).scalars())
        outcomes = dict(
            (
                await db.execute(
                    select(ReminderJob.item_id, ReminderJob.outcome).where(
                        ReminderJob.done_at.is_not(None)
                    )
                )
            ).all()
        )
    assert titles == {"Reminder: Session 20 starts in 15 minutes"}
    assert outcomes == {kept: "sent", called_off: "skipped"}


async def test_no_show_marked_for_the_side_that_never_came(
    engine: AsyncEngine, people: list[int], instance: object
) -> None:
    (session_id,) = await _sessions(engine, people, [0])
    async with AsyncSession(engine, expire_on_commit=False) as db:
        db.add(Attendance(session_id=session_id, user_id=people[0], joined_at=T0))
        await db.commit()
    make = instance  # type: ignore[assignment]
    reminders, _ = make("a")  # type: ignore[operator]
    await reminders.mark_no_shows(T0 + timedelta(minutes=11))
    await reminders.mark_no_shows(T0 + timedelta(minutes=12))  # marked once only
    async with AsyncSession(engine, expire_on_commit=False) as db:
        marked = (await db.execute(select(NoShow.user_id))).scalars().all()
        told = (await db.execute(select(Notification.user_id, Notification.kind))).all()
    assert marked == [people[1]]
    assert told == [(people[0], "no_show")]


async def test_office_hours_remind_everyone_and_a_started_session_is_skipped(
    engine: AsyncEngine, people: list[int], instance: object
) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as db:
        db.add(
            MentoringSession(
                kind=SessionKind.OFFICE_HOURS,
                title="Open hour",
                starts_at=T0 + timedelta(hours=25),
                duration_minutes=60,
                host_id=people[0],
                participants=[SessionParticipant(user_id=u) for u in people],
            )
        )
        await db.commit()
    (late,) = await _sessions(engine, people, [20])
    make = instance  # type: ignore[assignment]
    reminders, _ = make("a")  # type: ignore[operator]
    await reminders.plan(T0 + timedelta(minutes=1))
    # The next look comes only after the one-on-one has started: too late to remind.
    sent = await reminders.send_due(T0 + timedelta(hours=1, minutes=1))
    assert sent == 4  # the office hours' 24-hour reminder, to all four people
    async with AsyncSession(engine) as db:
        titles = set((await db.execute(select(Notification.title))).scalars())
        skipped = (
            (await db.execute(select(ReminderJob.outcome).where(ReminderJob.item_id == late)))
            .scalars()
            .all()
        )
    assert titles == {"Reminder: Open hour starts in 24 hours"}
    assert skipped == ["skipped", "skipped"]


async def test_accepted_meetups_are_reminded_proposed_ones_are_not(
    engine: AsyncEngine, people: list[int], instance: object
) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as db:
        for status in (MeetupStatus.ACCEPTED, MeetupStatus.PROPOSED):
            db.add(
                Meetup(
                    proposer_id=people[0],
                    place_name="Potsdam",
                    place_country="DE",
                    place_latitude=52.4,
                    place_longitude=13.06,
                    starts_at=T0 + timedelta(hours=25),
                    status=status,
                    participants=[MeetupParticipant(user_id=u) for u in people[:2]],
                )
            )
        await db.commit()
    make = instance  # type: ignore[assignment]
    reminders, _ = make("a")  # type: ignore[operator]
    await reminders.plan(T0)
    assert await reminders.send_due(T0 + timedelta(hours=1)) == 2
    async with AsyncSession(engine) as db:
        told = (await db.execute(select(Notification.user_id, Notification.url))).all()
    assert sorted(told) == [(people[0], "/meetups/1"), (people[1], "/meetups/1")]


async def test_two_running_apps_send_a_due_reminder_once(
    aiohttp_server: Any, database_url: str, tmp_path: Path, engine: AsyncEngine, people: list[int]
) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as db:
        db.add(
            MentoringSession(
                kind=SessionKind.ONE_ON_ONE,
                title="Soon",
                starts_at=utcnow() + timedelta(minutes=14),  # its 15-minute reminder is due
                duration_minutes=30,
                host_id=people[0],
                participants=[SessionParticipant(user_id=u) for u in people[:2]],
            )
        )
        await db.commit()
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        var_dir=tmp_path,
        reminder_interval_seconds=1,
    )
    servers = [await aiohttp_server(create_app(settings)) for _ in range(2)]
    for _ in range(100):
        await asyncio.sleep(0.1)
        if await _count(engine, Notification) >= 2 and _outbox(tmp_path) >= 2:
            break
    await asyncio.sleep(1.5)  # another round of both apps: nothing more may arrive
    for server in servers:
        await server.close()
    async with AsyncSession(engine) as db:
        told = (await db.execute(select(Notification.user_id, Notification.title))).all()
    assert sorted(told) == [
        (people[0], "Reminder: Soon starts in 15 minutes"),
        (people[1], "Reminder: Soon starts in 15 minutes"),
    ]
    assert _outbox(tmp_path) == 2


def _outbox(root: Path) -> int:
    return len(list((root / "outbox").glob("*.eml")))
