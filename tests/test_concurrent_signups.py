"""Many people signing up at once: each gets a 201, a clear 409 or a 503, never a 500."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.database import create_engine
from models.users import User
from server.middlewares import error_middleware
from server.security import hash_password
from tests.conftest import Client, ClientFactory, MakeClient

PASSWORD = "correct horse battery"


async def _sign_up(browser: Client, email: str) -> tuple[int, dict[str, Any]]:
    response = await browser.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "name": "Someone", "roles": ["mentee"]},
    )
    body: dict[str, Any] = await response.json()
    return response.status, body


@asynccontextmanager
async def _inserts_held_back(engine: AsyncEngine) -> AsyncIterator[None]:
    """Another connection keeps anyone from inserting users (reading goes on) until exit."""
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            await conn.exec_driver_sql("BEGIN IMMEDIATE")  # takes SQLite's one write lock
        else:
            await conn.execute(text("LOCK TABLE users IN SHARE MODE"))
        try:
            yield
        finally:
            await conn.rollback()


async def _impatient(conn: AsyncConnection) -> None:
    """Make `conn` give up at once on a lock another connection holds."""
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql("PRAGMA busy_timeout=0")
    else:
        await conn.execute(text("SET lock_timeout = '50ms'"))


async def test_the_same_email_at_once_gives_one_account_and_one_conflict(
    client: Client, make_client: MakeClient, engine: AsyncEngine
) -> None:
    other = await make_client()
    async with _inserts_held_back(engine):
        both = asyncio.gather(
            _sign_up(client, "twin@example.org"), _sign_up(other, "Twin@Example.org")
        )
        # Long enough for both to find the address free and wait at their insert; shorter than
        # SQLite's busy timeout, so neither gives up.
        await asyncio.sleep(1.0)
    results = await both
    assert sorted(status for status, _ in results) == [201, 409], results
    conflict = next(body for status, body in results if status == 409)
    assert conflict["error"]["code"] == "email_taken"
    assert "email" in conflict["error"]["fields"]


async def test_hashing_passwords_does_not_stall_other_requests(
    client: Client, make_client: MakeClient
) -> None:
    # A stalled event loop keeps other sign-ups' transactions (and SQLite's one write lock) open
    # until they time out as "database is locked": argon2 must run beside the loop, not on it.
    started = time.perf_counter()
    hash_password(PASSWORD)
    one_hash = time.perf_counter() - started
    longest_stall = 0.0

    async def watch_the_loop() -> None:
        nonlocal longest_stall
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            longest_stall = max(longest_stall, time.perf_counter() - before - 0.005)

    browsers = [client, *[await make_client() for _ in range(9)]]
    watcher = asyncio.create_task(watch_the_loop())
    try:
        results = await asyncio.gather(
            *(_sign_up(browser, f"crowd{n}@example.org") for n, browser in enumerate(browsers))
        )
    finally:
        watcher.cancel()
    assert [status for status, _ in results] == [201] * len(browsers), results
    # Hashing on the loop stalls it for about ten hashes in a row; beside it, for at most a few.
    assert longest_stall < 4 * one_hash, f"stalled {longest_stall:.3f}s, one hash {one_hash:.3f}s"


async def test_a_database_too_busy_to_answer_is_a_503(
    aiohttp_client: ClientFactory, engine: AsyncEngine, database_url: str
) -> None:
    one_connection = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.05)

    async def insert_user(request: web.Request) -> web.Response:
        async with engine.connect() as conn:
            await _impatient(conn)
            row = {"email": "x@example.org", "email_normalized": "x@example.org", "name": "X"}
            await conn.execute(insert(User).values(password_hash="-", roles=[], **row))
        return web.json_response({})

    async def take_a_connection(request: web.Request) -> web.Response:
        async with one_connection.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return web.json_response({})

    app = web.Application(middlewares=[error_middleware])
    app.router.add_post("/api/v1/locked", insert_user)
    app.router.add_post("/api/v1/pool", take_a_connection)
    browser = await aiohttp_client(app)
    try:
        async with _inserts_held_back(engine), one_connection.connect():
            for path in ("/api/v1/locked", "/api/v1/pool"):
                response = await browser.post(path)
                assert response.status == 503, await response.text()
                assert response.headers["Retry-After"] == "5"
                assert (await response.json())["error"]["code"] == "busy"
    finally:
        await one_connection.dispose()
