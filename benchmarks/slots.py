"""Benchmark: free slots of a busy mentor, and booking throughput under contention.

1. Free 30-minute slots over a 90-day horizon for a mentor with weekday and late-evening
   windows (one crossing midnight) and 500 existing bookings: `models.slots.free_slots`
   (merged busy list + bisect) against a naive minute-by-minute scan, which must agree.
2. Booking throughput: 50 concurrent clients (mentees in active mentorships) book the same
   mentor's slots through the real HTTP API on PostgreSQL; many aim at the same slots, so
   409 slot_taken is part of the load. Afterwards no two live sessions may overlap.

    python3 -m benchmarks.slots [--postgres URL] [--clients 50] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from models.database import create_engine
from models.slots import Rules, Window, free_slots, naive_free_slots
from server.app import create_app
from server.settings import Settings

PASSWORD = "correct horse battery"
TARGET_MS = 20.0


def slot_generation(rng: random.Random) -> tuple[float, float, int]:
    """(fast median ms, naive ms, slots found) for 90 days and 500 bookings."""
    rules = Rules(
        timezone="Europe/Berlin",
        weekly={
            **{d: (Window(clock(9), clock(17)),) for d in range(5)},
            5: (Window(clock(20), clock(1)),),
        },
        buffer_minutes=10,
        min_notice_hours=12,
        horizon_days=90,
    )
    now = datetime(2027, 3, 1, 8, tzinfo=UTC)
    busy = []
    for _ in range(500):
        start = now + timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        busy.append((start, start + timedelta(minutes=rng.choice([30, 45, 60]))))
    window = {"start": now, "end": now + timedelta(days=90), "now": now}
    duration = timedelta(minutes=30)
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        fast = free_slots(rules, busy, duration=duration, **window)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    naive = naive_free_slots(rules, busy, duration=duration, **window)  # type: ignore[arg-type]
    naive_ms = (time.perf_counter() - started) * 1000
    assert fast == naive, "the fast and the naive answers differ"
    return statistics.median(timings), naive_ms, len(fast)


async def _database(admin_url: str) -> str:
    name = f"tandem_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def _drop(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        name = make_url(url).database
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def _browser() -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1, like a browser would."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _signup(http: aiohttp.ClientSession, server: TestServer, email: str, role: str) -> int:
    response = await http.post(
        server.make_url("/api/v1/auth/signup"),
        json={"email": email, "password": PASSWORD, "name": email[:8], "roles": [role]},
    )
    assert response.status == 201, await response.text()
    return int((await response.json())["user"]["id"])


async def booking_throughput(admin_url: str, clients: int, seconds: float) -> dict[str, float]:
    """Bookings per second with `clients` concurrent mentees on PostgreSQL."""
    url = await _database(admin_url)
    settings = Settings(
        database_url=url,
        secret_key="bench-secret",
        var_dir=Path(tempfile.mkdtemp()),
        reminder_interval_seconds=0,
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        mentor = _browser()
        mentor_id = await _signup(mentor, server, "mentor@example.org", "mentor")
        await mentor.patch(server.make_url("/api/v1/me"), json={"mentor_capacity": 50})
        await mentor.put(
            server.make_url("/api/v1/me/availability"),
            json={
                "timezone": "UTC",
                "weekly": [{"weekday": d, "start": "00:00", "end": "23:30"} for d in range(7)],
                "session_minutes": [30],
                "min_notice_hours": 0,
                "horizon_days": 90,
            },
        )
        mentees = []
        for n in range(clients):
            http = _browser()
            await _signup(http, server, f"mentee{n}@example.org", "mentee")
            asked = await http.post(
                server.make_url("/api/v1/mentorships"), json={"mentor_id": mentor_id}
            )
            assert asked.status == 201, await asked.text()
            mentorship = (await asked.json())["mentorship"]["id"]
            await mentor.post(
                server.make_url(f"/api/v1/mentorships/{mentorship}/accept"),
                headers={"Content-Type": "application/json"},
            )
            mentees.append(http)
        listed = await mentees[0].get(
            server.make_url(f"/api/v1/mentors/{mentor_id}/slots"),
            params={"end": (datetime.now(UTC) + timedelta(days=90)).isoformat()},
        )
        slots = [s["starts_at"] for s in (await listed.json())["slots"]]
        statuses: list[int] = []
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds

        async def client(http: aiohttp.ClientSession, rng: random.Random) -> None:
            while time.perf_counter() < deadline:
                starts_at = rng.choice(slots)
                started = time.perf_counter()
                response = await http.post(
                    server.make_url("/api/v1/bookings"),
                    json={"mentor_id": mentor_id, "starts_at": starts_at, "duration_minutes": 30},
                )
                await response.read()
                latencies.append((time.perf_counter() - started) * 1000)
                statuses.append(response.status)

        started = time.perf_counter()
        await asyncio.gather(*(client(h, random.Random(i)) for i, h in enumerate(mentees)))
        elapsed = time.perf_counter() - started
        engine = create_engine(url)
        async with engine.connect() as conn:
            overlaps = await conn.scalar(
                text(
                    "SELECT count(*) FROM sessions a JOIN sessions b ON a.id < b.id "
                    "AND a.cancelled_at IS NULL AND b.cancelled_at IS NULL "
                    "AND a.starts_at < b.starts_at + make_interval(mins => b.duration_minutes) "
                    "AND b.starts_at < a.starts_at + make_interval(mins => a.duration_minutes)"
                )
            )
        await engine.dispose()
        for http in [mentor, *mentees]:
            await http.close()
    finally:
        await server.close()
        await _drop(admin_url, url)
    return {
        "requests": len(statuses),
        "booked": statuses.count(201),
        "taken": statuses.count(409),
        "other": len(statuses) - statuses.count(201) - statuses.count(409),
        "per_second": len(statuses) / elapsed,
        "booked_per_second": statuses.count(201) / elapsed,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": statistics.quantiles(latencies, n=20)[18] if len(latencies) > 20 else 0.0,
        "overlaps": float(overlaps or 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    fast_ms, naive_ms, found = slot_generation(random.Random(1))
    print(
        f"slots: {found} free 30-min slots over 90 days with 500 bookings: "
        f"{fast_ms:.2f} ms (median of 30); naive minute scan {naive_ms:.0f} ms; same answer"
    )
    result = asyncio.run(booking_throughput(args.postgres, args.clients, args.seconds))
    print(
        f"booking: {args.clients} clients for {args.seconds:.0f} s on PostgreSQL: "
        f"{result['requests']:.0f} requests ({result['per_second']:.0f}/s), "
        f"{result['booked']:.0f} booked, {result['taken']:.0f} slot_taken, "
        f"{result['other']:.0f} other; p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms; overlapping sessions: {result['overlaps']:.0f}"
    )
    verdict = "met" if fast_ms < TARGET_MS else "MISSED"
    print(
        f"SUMMARY slots {fast_ms:.2f} ms vs naive {naive_ms:.0f} ms "
        f"({naive_ms / fast_ms:.0f}x, target < {TARGET_MS:.0f} ms {verdict}); "
        f"booking {result['per_second']:.0f} req/s, {result['booked_per_second']:.0f} "
        f"bookings/s with {args.clients} clients, {result['overlaps']:.0f} double bookings"
    )


if __name__ == "__main__":
    main()
