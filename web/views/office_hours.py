"""The office-hours pages: find upcoming group sessions, register, and (mentors) create them."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from models.office_hours import upcoming_office_hours
from models.users import get_profile
from server.db import unit_of_work
from server.errors import validate
from server.params import int_param
from server.representations import series_list_json
from server.schemas import OfficeHoursIn
from server.services import office_hours as service
from web.forms import local_to_aware, read_form
from web.rendering import page_user, redirect, render


async def office_hours_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    now = utcnow()
    async with unit_of_work(request.app) as db:
        series = await series_list_json(db, await upcoming_office_hours(db, now), user.id, now)
        zone = (await get_profile(db, user.id)).timezone
    return await render(
        request,
        "office_hours.html",
        {
            "series": [s for s in series if s["sessions"]],
            "zone": zone,
            "now": now,
            "created": "created" in request.query,
        },
    )


async def create_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    async with unit_of_work(request.app) as db:
        zone = (await get_profile(db, user.id)).timezone
        values: dict[str, object] = {
            "title": form.get("title", ""),
            "topic": form.get("topic", ""),
            "starts_at": local_to_aware(str(form.get("starts_at", "")), zone),
            "duration_minutes": form.get("duration_minutes", ""),
            "capacity": form.get("capacity", ""),
            "admission": form.get("admission", "open"),
        }
        if form.get("weekly_until"):
            values["recurrence"] = {"weekly_until": form.get("weekly_until")}
        await service.create_office_hours(db, user, validate(OfficeHoursIn, values))
    raise redirect("/office-hours?created=1")


async def register_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    office_hours_id = int_param(request, "office_hours_id")
    change = service.unregister if form.get("action") == "cancel" else service.register
    async with unit_of_work(request.app) as db:
        await change(db, user, office_hours_id, utcnow())
    raise redirect("/office-hours")
