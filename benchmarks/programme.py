"""Benchmark: the admin programme page and its CSV on a large programme, on PostgreSQL.

Seeds N mentorships with M sessions spread over the last year (some cancelled, some no-shows),
check-in ratings and achieved goals; then times, through the real HTTP app, the programme page
(`/admin/programme`, a year's range), its JSON and the weeks CSV, and checks their figures
against the same figures computed in Python from plain row reads in the same run.

    python3 -m benchmarks.programme [--postgres URL] [--mentorships 5000] [--sessions 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from sqlalchemy import insert, select, text

from benchmarks.slots import _browser, _database, _drop, _signup
from models.database import create_engine, create_session_factory, upgrade
from models.goals import Goal, GoalStatus, SessionFeedback
from models.mentorships import Mentorship, MentorshipStatus
from models.no_shows import NoShow
from models.sessions import MentoringSession, SessionKind
from models.users import User
from server import keys
from server.app import create_app
from server.services.admin import grant_admin
from server.settings import Settings

TARGET_MS = 300.0
CHUNK = 5000


async def _bulk(db: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await db.execute(insert(model), rows[start : start + CHUNK])


async def seed(url: str, mentorships: int, sessions: int, rng: random.Random) -> datetime:
    """The programme's rows, inserted in bulk; returns the time they are relative to."""
    now = datetime.now(UTC)
    engine = create_engine(url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    mentors = max(1, mentorships // 5)
    async with factory() as db:
        users = [
            {
                "email": f"u{n}@bench.example",
                "email_normalized": f"u{n}@bench.example",
                "name": f"User {n}",
                "password_hash": "x",
                "roles": ["mentor"] if n < mentors else ["mentee"],
                "created_at": now,
            }
            for n in range(mentors + mentorships)
        ]
        await _bulk(db, User, users)
        ids = list((await db.execute(select(User.id).order_by(User.id))).scalars())
        pairs = []
        for n in range(mentorships):
            status = rng.choices(
                [MentorshipStatus.ACTIVE, MentorshipStatus.ENDED, MentorshipStatus.REQUESTED],
                [85, 10, 5],
            )[0]
            started = now - timedelta(days=rng.randrange(1, 400))
            pairs.append(
                {
                    "mentor_id": ids[n % mentors],
                    "mentee_id": ids[mentors + n],
                    "status": status,
                    "message": "",
                    "created_at": started - timedelta(hours=rng.randrange(1, 72)),
                    "started_at": None if status == MentorshipStatus.REQUESTED else started,
                    "ended_at": now - timedelta(days=1)
                    if status == MentorshipStatus.ENDED
                    else None,
                    "end_reason": "",
                }
            )
        await _bulk(db, Mentorship, pairs)
        rows = (
            await db.execute(select(Mentorship.id, Mentorship.mentor_id, Mentorship.status))
        ).all()
        live = [
            (mid, mentor) for mid, mentor, status in rows if status != MentorshipStatus.REQUESTED
        ]
        planned = []
        for _ in range(sessions):
            mid, mentor = rng.choice(live)
            planned.append(
                {
                    "kind": SessionKind.ONE_ON_ONE,
                    "title": "Weekly",
                    "starts_at": now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60)),
                    "duration_minutes": 45,
                    "host_id": mentor,
                    "mentorship_id": mid,
                    "created_at": now,
                    "cancelled_at": now if rng.random() < 0.05 else None,
                    "cancel_reason": "",
                    "sequence": 0,
                }
            )
        await _bulk(db, MentoringSession, planned)
        held = list(
            (
                await db.execute(
                    select(MentoringSession.id, MentoringSession.host_id).where(
                        MentoringSession.cancelled_at.is_(None)
                    )
                )
            ).all()
        )
        picked = rng.sample(held, len(held) // 12)
        await _bulk(
            db,
            NoShow,
            [
                {"session_id": sid, "user_id": host, "marked_at": now, "is_corrected": False}
                for sid, host in picked
            ],
        )
        rated = rng.sample(held, len(held) // 4)
        await _bulk(
            db,
            SessionFeedback,
            [
                {
                    "session_id": sid,
                    "user_id": host,
                    "about_id": None,
                    "rating": rng.randint(1, 5),
                    "went_well": "",
                    "private_note": "",
                    "created_at": now - timedelta(days=rng.randrange(0, 365)),
                }
                for sid, host in rated
            ],
        )
        await _bulk(
            db,
            Goal,
            [
                {
                    "mentorship_id": mid,
                    "title": "Goal",
                    "why": "",
                    "status": GoalStatus.ACHIEVED if rng.random() < 0.4 else GoalStatus.ACTIVE,
                    "created_at": now,
                    "achieved_at": now - timedelta(days=rng.randrange(0, 365)),
                }
                for mid, _ in live
            ],
        )
        await db.commit()
    # A live database has planner statistics; freshly bulk-loaded tables do not yet.
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    await engine.dispose()
    return now


async def figures_from_rows(url: str, start: datetime, end: datetime) -> dict[str, Any]:
    """The same summary computed in Python from plain row reads."""
    engine = create_engine(url)
    async with create_session_factory(engine)() as db:
        sessions = (
            await db.execute(
                select(
                    MentoringSession.id,
                    MentoringSession.starts_at,
                    MentoringSession.cancelled_at,
                    MentoringSession.mentorship_id,
                )
            )
        ).all()
        missed = set(
            (
                await db.execute(select(NoShow.session_id).where(NoShow.is_corrected.is_(False)))
            ).scalars()
        )
        ratings = (
            await db.execute(select(SessionFeedback.rating, SessionFeedback.created_at))
        ).all()
        goals = (await db.execute(select(Goal.status, Goal.achieved_at))).all()
    await engine.dispose()
    counted = [s for s in sessions if s[3] is not None and s[2] is None and start <= s[1] < end]
    weeks: Counter[str] = Counter()
    for sid, starts_at, _, _ in counted:
        if sid not in missed:
            weeks[(starts_at - timedelta(days=starts_at.weekday())).date().isoformat()] += 1
    in_range = [r for r, at in ratings if start <= at < end]
    return {
        "sessions_held": sum(weeks.values()),
        "no_shows": sum(1 for s in counted if s[0] in missed),
        "ratings": len(in_range),
        "average_rating": round(sum(in_range) / len(in_range), 2) if in_range else None,
        "goals_achieved": sum(
            1 for status, at in goals if status == GoalStatus.ACHIEVED and at and start <= at < end
        ),
        "weeks": dict(sorted(weeks.items())),
    }


async def run(admin_url: str, mentorships: int, sessions: int, runs: int) -> None:
    url = await _database(admin_url)
    try:
        began = time.perf_counter()
        now = await seed(url, mentorships, sessions, random.Random(14))
        print(
            f"seeded {mentorships} mentorships, {sessions} sessions "
            f"in {time.perf_counter() - began:.1f} s"
        )
        settings = Settings(
            database_url=url,
            secret_key="bench-secret",
            var_dir=Path(tempfile.mkdtemp()),
            reminder_interval_seconds=0,
        )
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        try:
            http = _browser()
            await _signup(http, server, "admin@bench.example", "mentor")
            async with server.app[keys.DB]() as db:
                await grant_admin(db, "admin@bench.example")
                await db.commit()
            start_day = (now - timedelta(days=365)).date()
            query = f"from={start_day.isoformat()}&to={now.date().isoformat()}"
            timings: dict[str, list[float]] = {"page": [], "json": [], "csv": []}
            answer: dict[str, Any] = {}
            for _ in range(runs):
                for name, path in (
                    ("page", f"/admin/programme?{query}"),
                    ("json", f"/api/v1/admin/programme?{query}"),
                    ("csv", f"/api/v1/admin/programme.csv?table=weeks&{query}"),
                ):
                    t0 = time.perf_counter()
                    response = await http.get(server.make_url(path))
                    body = await response.read()
                    timings[name].append((time.perf_counter() - t0) * 1000)
                    assert response.status == 200, body[:300]
                    if name == "json":
                        answer = await response.json()
            await http.close()
        finally:
            await server.close()
        start = datetime.combine(start_day, datetime.min.time(), UTC)
        expected = await figures_from_rows(url, start, datetime.now(UTC))
        got = answer["summary"]
        agree = all(
            got[k] == expected[k]
            for k in ("sessions_held", "no_shows", "ratings", "average_rating", "goals_achieved")
        ) and {w["week"]: w["sessions_held"] for w in answer["weeks"] if w["sessions_held"]} == {
            k: v for k, v in expected["weeks"].items() if v
        }
        if not agree:
            print("MISMATCH", got, {k: v for k, v in expected.items() if k != "weeks"})
        for name, values in timings.items():
            print(f"{name:5} median {statistics.median(values):7.1f} ms  max {max(values):7.1f} ms")
        page = statistics.median(timings["page"])
        verdict = "PASS" if page < TARGET_MS and agree else "FAIL"
        print(
            f"{verdict}: programme page {page:.0f} ms (target {TARGET_MS:.0f} ms), CSV "
            f"{statistics.median(timings['csv']):.0f} ms, figures "
            f"{'match' if agree else 'DO NOT match'} the row-by-row count "
            f"({mentorships} mentorships, {sessions} sessions)"
        )
    finally:
        await _drop(admin_url, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--mentorships", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.postgres, args.mentorships, args.sessions, args.runs))


if __name__ == "__main__":
    main()
