"""One database session per unit of work, committed when the work succeeds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server import keys


@asynccontextmanager
async def unit_of_work(app: web.Application) -> AsyncIterator[AsyncSession]:
    """A session that commits on success and rolls back on any error."""
    async with app[keys.DB]() as db:
        try:
            yield db
        except BaseException:
            await db.rollback()
            raise
        else:
            await db.commit()
