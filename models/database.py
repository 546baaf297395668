"""The async engine, session factory and schema migrations for one app instance."""

from __future__ import annotations

import errno
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


# SQLite's wait for its write lock when no statement timeout is given.
DEFAULT_SQLITE_BUSY_MS = 5000
# What a broken or silent database connection raises, besides DBAPI errors.
_CONNECTION_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
    }
)
# PostgreSQL: lock_timeout ran out (55P03), no connection slot left (53300), statement_timeout
# ran out (57014), the server is shutting down or starting (57P01-57P03), connection trouble (08).
_BUSY_SQLSTATES = frozenset({"55P03", "53300", "57014", "57P01", "57P02", "57P03"})


def create_engine(
    url: str,
    *,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout.

    With timeouts (in seconds) no database use waits unbounded: opening a connection or waiting
    for a pooled one gives up after `connect_timeout`; a statement, after `statement_timeout`,
    whether the server is slow (PostgreSQL cancels it) or silent (the client stops waiting).
    Leave them out for migrations, which may rightly run long.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        busy_ms = DEFAULT_SQLITE_BUSY_MS if statement_timeout is None else statement_timeout * 1000
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            cursor.close()

        return engine
    connect_args: dict[str, Any] = kwargs.pop("connect_args", {})
    if connect_timeout is not None:
        connect_args["timeout"] = connect_timeout
        kwargs.setdefault("pool_timeout", connect_timeout)
    if statement_timeout is not None:
        connect_args["command_timeout"] = statement_timeout
        connect_args["server_settings"] = {"statement_timeout": str(int(statement_timeout * 1000))}
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def is_busy(error: BaseException) -> bool:
    """Whether `error` means "try again soon": the database is busy (no connection or lock came
    free in time) or unreachable (refused, reset, or silent past a timeout)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_busy_here(current):
            return True
        orig = current.orig if isinstance(current, DBAPIError) else None
        current = orig or current.__cause__
    return False


def _is_busy_here(error: BaseException) -> bool:
    if isinstance(error, PoolTimeoutError | TimeoutError | ConnectionError):
        return True
    if isinstance(error, OSError) and error.errno in _CONNECTION_ERRNOS:
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if sqlite_code is not None:  # "database is locked" after the busy timeout
        return bool(sqlite_code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and (sqlstate in _BUSY_SQLSTATES or sqlstate[:2] == "08")


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
