"""`/healthz`: whether each dependency answers, for load balancers and operators."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy import text

from models.database import is_busy
from server import keys

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"


async def redis_client(app: web.Application) -> AsyncIterator[None]:
    """A Redis client when one is configured, with the database's timeouts."""
    settings = app[keys.SETTINGS]
    if settings.redis_url is None:
        yield
        return
    client = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.db_connect_timeout,
        socket_timeout=settings.db_statement_timeout,
    )
    app[keys.REDIS] = client
    yield
    await client.aclose()


async def _database_answers(app: web.Application) -> bool:
    try:
        async with app[keys.DB]() as db:
            await db.execute(text("SELECT 1"))
    except Exception as exc:
        if not is_busy(exc):
            log.exception("health check: the database failed")
        return False
    return True


async def _redis_answers(client: Redis) -> bool:
    try:
        await client.ping()
    except Exception as exc:
        log.warning("health check: Redis failed: %s", exc)
        return False
    return True


async def healthz(request: web.Request) -> web.Response:
    """200 when every dependency answers; else 503 naming those that do not."""
    checks = {"database": _database_answers(request.app)}
    if (client := request.app.get(keys.REDIS)) is not None:
        checks["redis"] = _redis_answers(client)
    answers = dict(zip(checks, await asyncio.gather(*checks.values()), strict=True))
    dependencies = {name: "ok" if fine else "unavailable" for name, fine in answers.items()}
    failing = [name for name, fine in answers.items() if not fine]
    if not failing:
        return web.json_response({"status": "ok", "dependencies": dependencies})
    body = {
        "status": "unavailable",
        "dependencies": dependencies,
        "error": {
            "code": "dependency_unavailable",
            "message": f"Not answering: {', '.join(failing)}.",
        },
    }
    return web.json_response(body, status=503, headers={"Retry-After": RETRY_AFTER_SECONDS})
