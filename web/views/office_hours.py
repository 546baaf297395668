"""The office-hours pages: find upcoming group sessions, register, and (mentors) create them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from models.base import utcnow
from models.office_hours import upcoming_office_hours
from models.users import User, get_profile
from server.db import unit_of_work
from server.errors import ApiError
from server.params import int_param
from server.representations import series_list_json
from server.schemas import OfficeHoursIn
from server.services import office_hours as service
from web.forms import local_to_aware, read_form, text_fields, validate_form
from web.rendering import page_user, redirect, render


async def office_hours_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    return await _render_page(request, user)


async def _render_page(
    request: web.Request,
    user: User,
    *,
    host: dict[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    """The page; `host` re-fills the hosting form with what was typed and its errors."""
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
            "host": host or {"form": HOST_DEFAULTS, "errors": {}},
        },
        status=status,
    )


HOST_FIELDS = ["title", "topic", "starts_at", "duration_minutes", "capacity", "admission"]
HOST_DEFAULTS = {"duration_minutes": "60", "capacity": "20", "admission": "open"}


async def create_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    typed = text_fields(form, [*HOST_FIELDS, "weekly_until"])
    try:
        async with unit_of_work(request.app) as db:
            zone = (await get_profile(db, user.id)).timezone
            values: dict[str, object] = {
                **{name: typed.get(name, "") for name in HOST_FIELDS},
                "starts_at": local_to_aware(typed.get("starts_at", ""), zone),
                "admission": typed.get("admission") or "open",
            }
            if typed.get("weekly_until"):
                values["recurrence"] = {"weekly_until": typed["weekly_until"]}
            data = validate_form(OfficeHoursIn, values)
            await service.create_office_hours(db, user, data)
    except ApiError as exc:
        if not exc.fields:
            raise
        # A recurrence error is shown next to its own field.
        errors = {k.replace("recurrence.", ""): v for k, v in exc.fields.items()}
        host = {"form": typed, "errors": errors, "message": exc.message}
        return await _render_page(request, user, host=host, status=exc.status)
    raise redirect("/office-hours?created=1")


async def register_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    office_hours_id = int_param(request, "office_hours_id")
    change = service.unregister if form.get("action") == "cancel" else service.register
    async with unit_of_work(request.app) as db:
        await change(db, user, office_hours_id, utcnow())
    raise redirect("/office-hours")
