"""Meeting in person from the dashboard: propose a suggested meetup, answer invitations."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api.routing import int_param
from server.db import unit_of_work
from server.errors import ApiError, validate
from server.schemas import MeetupIn
from server.services import meetups as service
from web.forms import read_form
from web.rendering import page_user, redirect, render


async def propose_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    values = {
        "participant_ids": [v for v in form.getall("participant_ids", []) if str(v).isdigit()],
        "place": {"name": form.get("place_name", ""), "country": form.get("place_country", "")},
        "starts_at": form.get("starts_at", ""),
    }
    try:
        data = validate(MeetupIn, values)
        async with unit_of_work(request.app) as db:
            await service.propose(db, request.app[keys.GEOCODING], user, data)
    except ApiError as exc:
        return await render(
            request, "error.html", {"status": exc.status, "message": exc.message}, status=exc.status
        )
    raise redirect("/dashboard#meet")


async def answer_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    try:
        async with unit_of_work(request.app) as db:
            await service.answer(
                db, user, int_param(request, "meetup_id"), accept=form.get("answer") == "accept"
            )
    except ApiError as exc:
        return await render(
            request, "error.html", {"status": exc.status, "message": exc.message}, status=exc.status
        )
    raise redirect("/dashboard#meet")
