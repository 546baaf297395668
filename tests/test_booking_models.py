"""Booked time in the database: the schema, what makes people busy, and overlap refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import models.registry  # noqa: F401  (every table known)
from models.base import Base, utcnow
from models.bookings import SessionHold, busy_intervals, hold_time, is_hold_conflict
from models.meetups import Meetup, MeetupParticipant, MeetupStatus
from models.sessions import MentoringSession, SessionKind, SessionParticipant, with_participants
from tests.conftest import seed_pair

OURS = {
    "availability",
    "session_holds",
    "notifications",
    "notification_preferences",
    "reminder_jobs",
    "calendar_feeds",
    "no_shows",
    "sessions",
}
T0 = utcnow().replace(microsecond=0) + timedelta(days=7)


async def test_migration_matches_the_models(engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert [d for d in differences if OURS & set(str(d).split("'"))] == []


def _session(host: int, people: list[int], minutes_after: int, **extra: object) -> MentoringSession:
    return MentoringSession(
        kind=extra.pop("kind", SessionKind.ONE_ON_ONE),  # type: ignore[arg-type]
        title="x",
        starts_at=T0 + timedelta(minutes=minutes_after),
        duration_minutes=30,
        host_id=host,
        participants=[SessionParticipant(user_id=u) for u in people],
        **extra,
    )


async def test_what_makes_people_busy(engine: AsyncEngine) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as db:
        _, mentor, mentee = await seed_pair(db)
        db.add_all(
            [
                _session(mentor, [mentor], 0, kind=SessionKind.OFFICE_HOURS),
                _session(mentor, [mentor, mentee], 60, cancelled_at=T0),
            ]
        )
        for minutes, status in ((120, MeetupStatus.ACCEPTED), (240, MeetupStatus.PROPOSED)):
            db.add(
                Meetup(
                    proposer_id=mentee,
                    place_name="Potsdam",
                    place_country="DE",
                    place_latitude=52.4,
                    place_longitude=13.06,
                    starts_at=T0 + timedelta(minutes=minutes),
                    duration_minutes=90,
                    status=status,
                    participants=[MeetupParticipant(user_id=mentee)],
                )
            )
        await db.commit()
        busy = await busy_intervals(
            db, [mentor, mentee], T0 - timedelta(hours=1), T0 + timedelta(days=1)
        )
    assert sorted(busy) == [
        (T0, T0 + timedelta(minutes=30)),  # office hours
        (T0 + timedelta(minutes=120), T0 + timedelta(minutes=210)),  # the accepted meetup
    ]


async def test_database_refuses_overlapping_holds(engine: AsyncEngine) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as db:
        _, mentor, mentee = await seed_pair(db)
        first = _session(mentor, [mentor, mentee], 0)
        back_to_back = _session(mentor, [mentor], 30)
        db.add_all([first, back_to_back])
        await db.commit()
        await hold_time(db, first)
        await hold_time(db, back_to_back)  # touching is not overlapping
        await db.commit()
        clash = _session(mentor, [mentee], 15)
        db.add(clash)
        await db.commit()
        first_id, clash_id = first.id, clash.id
        with pytest.raises(IntegrityError) as caught:
            await hold_time(db, clash)
        assert is_hold_conflict(caught.value)
        await db.rollback()
        # Once released (cancelled), the time can be held again.
        await db.execute(
            update(SessionHold).where(SessionHold.session_id == first_id).values(is_released=True)
        )
        again = await db.get(
            MentoringSession, clash_id, options=[with_participants()], populate_existing=True
        )
        assert again is not None
        await hold_time(db, again)
        await db.commit()
