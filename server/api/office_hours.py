"""Office hours API: mentors create series, anyone logged in finds and registers."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from models.office_hours import upcoming_office_hours
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import read_json
from server.params import int_param
from server.representations import office_hours_json, series_json, series_list_json
from server.schemas import OfficeHoursIn
from server.services import office_hours as service

routes = ApiRoutes("office-hours")


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
        found = await series_list_json(db, await upcoming_office_hours(db, now), user.id, now)
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
