"""The async engine, session factory and schema migrations for one app instance."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def is_busy(error: BaseException) -> bool:
    """Whether `error` means "busy, try again soon": no connection or lock came free in time."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:  # "database is locked" after the busy timeout
        return sqlite_code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    # PostgreSQL: lock_timeout ran out, or the server has no connection slot left.
    return getattr(error.orig, "sqlstate", None) in ("55P03", "53300")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """One factory per app: each request or task opens its own session from it."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration pointing at our migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied (all heads: feature branches migrate together)."""

    def run(connection: Connection) -> None:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters tables by copying them; with foreign keys on, dropping the old copy
            # would cascade-delete rows that point at it. Must run before the transaction starts.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            command.upgrade(alembic_config(connection), "heads")
        finally:
            if sqlite:
                connection.commit()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")

    async with engine.connect() as conn:
        await conn.run_sync(run)
        await conn.commit()
    log.info("database schema is up to date")
