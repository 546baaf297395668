"""Shared fixtures: a real Tandem app on a fresh database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models.base import utcnow
from models.database import create_engine, upgrade
from models.sessions import MentoringSession, SessionKind
from models.users import User
from server.app import create_app
from server.settings import Settings

POSTGRES_URL = os.environ.get("TANDEM_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]

Client = TestClient  # type: ignore[type-arg]
ClientFactory = Callable[..., Awaitable[Client]]
MakeClient = Callable[[], Awaitable[Client]]


async def _postgres_database() -> AsyncIterator[str]:
    """A throw-away PostgreSQL database, dropped afterwards."""
    assert POSTGRES_URL
    name = f"tandem_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for one test, on each configured backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/tandem.db"
    else:
        async for url in _postgres_database():
            yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The fresh database at the migrations' heads, for tests below the app."""
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def seed_pair(db: AsyncSession) -> tuple[int, int, int]:
    """A mentor, a mentee and a session hosted by the mentor: (session id, mentor id, mentee id)."""
    mentor, mentee = (
        User(
            email=f"{name}@example.org",
            email_normalized=f"{name}@example.org",
            name=name,
            password_hash="-",
            roles=[role],
        )
        for name, role in (("mentor", "mentor"), ("mentee", "mentee"))
    )
    db.add_all([mentor, mentee])
    await db.flush()
    call = MentoringSession(
        kind=SessionKind.ONE_ON_ONE,
        title="Weekly",
        starts_at=utcnow(),
        duration_minutes=45,
        host_id=mentor.id,
    )
    db.add(call)
    await db.commit()
    return call.id, mentor.id, mentee.id


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings: a fresh database and a fixed secret."""
    # Tests sign many accounts up from one address; the sign-up limit has its own test.
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        var_dir=tmp_path,
        signups_per_hour=100_000,
    )


@pytest.fixture
async def client(aiohttp_client: ClientFactory, settings: Settings) -> Client:
    """An HTTP client talking to a real Tandem app."""
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def make_client(aiohttp_client: ClientFactory, client: Client) -> MakeClient:
    """Another browser (its own cookie jar) on the same running app."""

    async def make() -> Client:
        return await aiohttp_client(client.server)

    return make


JSON = {"Content-Type": "application/json"}


async def signup(
    client: Client,
    email: str,
    *,
    roles: list[str] | None = None,
    name: str = "Test User",
    password: str = "correct horse battery",
) -> dict[str, Any]:
    """Sign `client` up (and so log it in); returns the user JSON."""
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": password, "name": name, "roles": roles or ["mentee"]},
    )
    assert response.status == 201, await response.text()
    user: dict[str, Any] = (await response.json())["user"]
    return user
