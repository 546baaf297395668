"""Benchmark: room signaling under load, beside a bare aiohttp WebSocket broadcast (the ceiling).

The real app runs in its own process on a temporary SQLite database, with one two-person session
per pair of clients created directly in the database and join tokens minted with the secret.
N WebSocket clients (in this process) join their rooms; each pair then trades offers, answers and
candidates as a call set-up would. The same clients and traffic then run against a bare aiohttp
server that forwards every text frame to the other member of its room, with no checks at all.

    python benchmarks/signaling.py [--clients 500] [--rounds 10] [--connect-concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

# Run as a script, this folder comes first on sys.path and this file's name hides the package.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

SECRET = "benchmark-secret"
CANDIDATES_PER_SIDE = 4
SDP = "v=0\r\n" + "a=candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host\r\n" * 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- the servers (each in its own process) -------------------------------------------------------


async def _seed(database_url: str, pairs: int) -> list[tuple[int, int, int]]:
    """Users and one session starting now per pair: (session id, user a, user b)."""
    from models import registry  # noqa: F401  (every table)
    from models.base import utcnow
    from models.database import create_engine, create_session_factory, upgrade
    from models.sessions import MentoringSession, SessionKind, SessionParticipant
    from models.users import User

    engine = create_engine(database_url)
    await upgrade(engine)
    rooms: list[tuple[int, int, int]] = []
    async with create_session_factory(engine)() as db:
        users = [
            User(
                email=f"u{i}@example.org",
                email_normalized=f"u{i}@example.org",
                name=f"User {i}",
                password_hash="-",
                roles=["mentee"],
            )
            for i in range(pairs * 2)
        ]
        db.add_all(users)
        await db.flush()
        start = utcnow() - timedelta(minutes=1)
        for i in range(pairs):
            a, b = users[2 * i].id, users[2 * i + 1].id
            session = MentoringSession(
                kind=SessionKind.ONE_ON_ONE,
                title=f"Pair {i}",
                starts_at=start,
                duration_minutes=120,
                host_id=a,
                participants=[SessionParticipant(user_id=a), SessionParticipant(user_id=b)],
            )
            db.add(session)
            await db.flush()
            rooms.append((session.id, a, b))
        await db.commit()
    await engine.dispose()
    return rooms


def serve_tandem(database_url: str, var_dir: str, port: int) -> None:
    """The real Tandem app."""
    logging.basicConfig(level=logging.WARNING)
    from server.app import create_app
    from server.settings import Settings

    settings = Settings(database_url=database_url, secret_key=SECRET, var_dir=Path(var_dir))
    web.run_app(create_app(settings), host="127.0.0.1", port=port, print=None, access_log=None)


def serve_bare(port: int) -> None:
    """A bare aiohttp WebSocket server: every frame goes to the other sockets of its room."""
    rooms: dict[str, set[web.WebSocketResponse]] = {}

    async def room(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        members = rooms.setdefault(request.match_info["room"], set())
        members.add(ws)
        await ws.send_str('{"type":"welcome"}')
        try:
            async for msg in ws:
                for other in members:
                    if other is not ws:
                        await other.send_str(msg.data)
        finally:
            members.discard(ws)
        return ws

    app = web.Application()
    app.router.add_get("/ws/{room}", room)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the clients ---------------------------------------------------------------------------------


@dataclass
class Client:
    url: str
    ws: aiohttp.ClientWebSocketResponse | None = None
    peer_id: str = ""
    join_seconds: float = 0.0
    received: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Result:
    join_p50_ms: float
    join_p99_ms: float
    relayed: int
    relay_seconds: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.relayed / self.relay_seconds


async def run_clients(urls: list[str], rounds: int, concurrency: int, is_tandem: bool) -> Result:
    """Join every client (pairs are neighbours in `urls`), then exchange the call set-up."""
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    clients = [Client(url) for url in urls]
    gate = asyncio.Semaphore(concurrency)
    errors = 0

    async def join(c: Client) -> None:
        async with gate:
            began = time.perf_counter()
            c.ws = await session.ws_connect(c.url, max_msg_size=0)
            if is_tandem:
                await c.ws.send_str('{"type":"join"}')
            welcome = json.loads((await c.ws.receive()).data)
            c.join_seconds = time.perf_counter() - began
            c.peer_id = welcome.get("peer_id", "")

    await asyncio.gather(*(join(c) for c in clients))
    per_client = rounds * (1 + CANDIDATES_PER_SIDE)

    async def listen(c: Client) -> None:
        nonlocal errors
        assert c.ws is not None
        async for msg in c.ws:
            kind = json.loads(msg.data)["type"]
            if kind in ("offer", "answer", "candidate"):
                c.received += 1
                if c.received == per_client:
                    c.done.set()
            elif kind == "error":
                errors += 1

    listeners = [asyncio.ensure_future(listen(c)) for c in clients]
    if is_tandem:  # drain the peer-joined each first member got
        await asyncio.sleep(0.5)

    async def exchange(a: Client, b: Client) -> None:
        for _ in range(rounds):
            for sender, receiver, kind in ((a, b, "offer"), (b, a, "answer")):
                assert sender.ws is not None
                await sender.ws.send_str(
                    json.dumps({"type": kind, "to": receiver.peer_id, "sdp": SDP})
                )
                for i in range(CANDIDATES_PER_SIDE):
                    candidate = {
                        "candidate": f"candidate:{i} 1 udp 1 192.0.2.2 {5000 + i} typ host",
                        "sdpMid": "0",
                        "sdpMLineIndex": 0,
                    }
                    await sender.ws.send_str(
                        json.dumps(
                            {"type": "candidate", "to": receiver.peer_id, "candidate": candidate}
                        )
                    )

    began = time.perf_counter()
    pairs = [(clients[i], clients[i + 1]) for i in range(0, len(clients), 2)]
    await asyncio.gather(*(exchange(a, b) for a, b in pairs))
    with contextlib.suppress(TimeoutError):  # counted as not delivered
        await asyncio.wait_for(asyncio.gather(*(c.done.wait() for c in clients)), 60)
    relay_seconds = time.perf_counter() - began
    relayed = sum(c.received for c in clients)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(c.ws.close() for c in clients if c.ws), return_exceptions=True)
    await session.close()
    joins = sorted(c.join_seconds * 1000 for c in clients)
    return Result(
        statistics.median(joins),
        joins[min(len(joins) - 1, int(len(joins) * 0.99))],
        relayed,
        relay_seconds,
        errors,
    )


async def wait_until_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


async def measure(
    start: Callable[[], multiprocessing.process.BaseProcess],
    probe: str,
    run: Callable[[], Awaitable[Result]],
) -> Result:
    process = start()
    try:
        await wait_until_up(probe)
        return await run()
    finally:
        process.terminate()
        process.join(10)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500, help="WebSocket clients (even)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="offer/answer rounds per pair (each with 4 candidates a side)",
    )
    parser.add_argument("--connect-concurrency", type=int, default=100)
    args = parser.parse_args()
    pairs = max(1, args.clients // 2)
    spawn = multiprocessing.get_context("spawn")
    from server.security import JoinToken

    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        rooms = await _seed(database_url, pairs)
        port = free_port()
        expires = int(time.time()) + 3600
        tandem_urls = [
            f"ws://127.0.0.1:{port}/ws/rooms/{sid}?token="
            + JoinToken(uid, sid, expires).encode(SECRET)
            for sid, a, b in rooms
            for uid in (a, b)
        ]

        def start_tandem() -> multiprocessing.process.BaseProcess:
            p = spawn.Process(target=serve_tandem, args=(database_url, tmp, port), daemon=True)
            p.start()
            return p

        tandem = await measure(
            start_tandem,
            f"http://127.0.0.1:{port}/healthz",
            lambda: run_clients(tandem_urls, args.rounds, args.connect_concurrency, True),
        )

    bare_port = free_port()
    bare_urls = [f"ws://127.0.0.1:{bare_port}/ws/{i // 2}" for i in range(pairs * 2)]

    def start_bare() -> multiprocessing.process.BaseProcess:
        p = spawn.Process(target=serve_bare, args=(bare_port,), daemon=True)
        p.start()
        return p

    bare = await measure(
        start_bare,
        f"http://127.0.0.1:{bare_port}/",
        lambda: run_clients(bare_urls, args.rounds, args.connect_concurrency, False),
    )

    expected = pairs * 2 * args.rounds * (1 + CANDIDATES_PER_SIDE)
    print(
        f"{pairs * 2} clients in {pairs} rooms of 2, {args.rounds} rounds "
        f"(offer or answer + {CANDIDATES_PER_SIDE} candidates a side), {expected} messages"
    )
    print(f"{'':22}{'Tandem rooms':>16}{'bare aiohttp':>16}")
    print(f"{'join p50 (ms)':22}{tandem.join_p50_ms:16.1f}{bare.join_p50_ms:16.1f}")
    print(f"{'join p99 (ms)':22}{tandem.join_p99_ms:16.1f}{bare.join_p99_ms:16.1f}")
    print(f"{'relayed msgs/s':22}{tandem.per_second:16.0f}{bare.per_second:16.0f}")
    print(f"{'delivered':22}{tandem.relayed:16d}{bare.relayed:16d}")
    print(f"{'error replies':22}{tandem.errors:16d}{bare.errors:16d}")
    print(
        f"SUMMARY signaling: {pairs * 2} clients, join p50 {tandem.join_p50_ms:.0f} ms "
        f"p99 {tandem.join_p99_ms:.0f} ms, {tandem.per_second:.0f} msgs/s relayed = "
        f"{100 * tandem.per_second / bare.per_second:.0f}% of bare aiohttp "
        f"({bare.per_second:.0f} msgs/s), {tandem.relayed}/{expected} delivered"
    )


if __name__ == "__main__":
    asyncio.run(main())
