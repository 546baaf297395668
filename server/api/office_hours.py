"""Office hours API: mentors create series, anyone logged in finds and registers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.office_hours import (
    OfficeHours,
    registration_count,
    sessions_of_office_hours,
    upcoming_office_hours,
)
from models.sessions import MentoringSession
from models.users import users_by_ids
from server.api.representations import session_json
from server.api.routing import ApiRoutes, int_param
from server.auth import require_user
from server.db import unit_of_work
from server.errors import read_json
from server.schemas import OfficeHoursIn
from server.services import office_hours as service

routes = ApiRoutes("office-hours")


def office_hours_json(
    series: OfficeHours,
    sessions: Sequence[MentoringSession],
    *,
    registered: int,
    host_name: str | None = None,
    is_registered: bool | None = None,
) -> dict[str, Any]:
    """A series with its occurrences."""
    data: dict[str, Any] = {
        "id": series.id,
        "host_id": series.host_id,
        "title": series.title,
        "topic": series.topic,
        "duration_minutes": series.duration_minutes,
        "capacity": series.capacity,
        "registered": registered,
        "places_left": max(0, series.capacity - registered),
        "admission": series.admission.value,
        "timezone": series.timezone,
        "weekly_until": series.weekly_until.isoformat() if series.weekly_until else None,
        "session_ids": [s.id for s in sessions],
        "sessions": [
            {
                "id": s.id,
                "starts_at": s.starts_at.isoformat(),
                "room_url": session_json(s)["room_url"],
            }
            for s in sessions
        ],
    }
    if host_name is not None:
        data["host_name"] = host_name
    if is_registered is not None:
        data["is_registered"] = is_registered
    return data


async def series_json(
    db: AsyncSession, series: OfficeHours, user_id: int, now: datetime
) -> dict[str, Any]:
    """A series as the given user sees it, with the occurrences not yet ended."""
    sessions = [s for s in await sessions_of_office_hours(db, series.id) if s.ends_at > now]
    host = (await users_by_ids(db, [series.host_id])).get(series.host_id)
    return office_hours_json(
        series,
        sessions,
        registered=await registration_count(db, series.id),
        host_name=host.name if host else None,
        is_registered=series.id in await service.registered_ids(db, user_id),
    )


@routes.route(
    "POST",
    "/office-hours",
    "Create office hours, one-off or weekly (mentors)",
    body=OfficeHoursIn,
    status=201,
)
async def create(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, OfficeHoursIn)
    async with unit_of_work(request.app) as db:
        series, sessions = await service.create_office_hours(db, user, data)
        body = office_hours_json(series, sessions, registered=0, host_name=user.name)
    return web.json_response({"office_hours": body}, status=201)


@routes.route("GET", "/office-hours", "Upcoming office hours")
async def upcoming(request: web.Request) -> web.Response:
    user = await require_user(request)
    now = utcnow()
    async with unit_of_work(request.app) as db:
        found = [
            await series_json(db, s, user.id, now) for s in await upcoming_office_hours(db, now)
        ]
    return web.json_response({"office_hours": [f for f in found if f["sessions"]]})


@routes.route(
    "POST", "/office-hours/{office_hours_id}/register", "Register for every coming occurrence"
)
async def register(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        series = await service.register(db, user, int_param(request, "office_hours_id"), utcnow())
        body = await series_json(db, series, user.id, utcnow())
    return web.json_response({"office_hours": body})


@routes.route(
    "DELETE", "/office-hours/{office_hours_id}/register", "Cancel my registration", status=204
)
async def unregister(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        await service.unregister(db, user, int_param(request, "office_hours_id"), utcnow())
    return web.Response(status=204)
