"""The programme page for admins: figures over a date range, at-risk mentorships, unanswered
requests, and the two interventions (end a mentorship, suspend an account)."""

from __future__ import annotations

from aiohttp import web

from models.mentorships import Mentorship
from server import keys
from server.api.admin import date_range, suspend_and_disconnect
from server.db import unit_of_work
from server.errors import not_found
from server.goal_schemas import EndMentorshipIn
from server.params import int_param
from server.services.activity_notices import mentorship_ended
from server.services.admin import require_admin
from server.services.mentorships import end_mentorship
from server.services.programme import TABLES, programme
from web.forms import read_form, text_fields, validate_form
from web.rendering import page_user, redirect, render


async def programme_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    require_admin(user)
    starts_on, ends_on = date_range(request.query)
    async with unit_of_work(request.app) as db:
        found = await programme(db, starts_on, ends_on)
    query = f"from={starts_on.isoformat()}&to={ends_on.isoformat()}"
    return await render(
        request,
        "programme.html",
        {
            "p": found,
            "tables": TABLES,
            "query": query,
            "done": request.query.get("done", ""),
        },
    )


async def end_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    require_admin(user)
    form = await read_form(request)
    data = validate_form(EndMentorshipIn, text_fields(form, ["reason"]))
    async with unit_of_work(request.app) as db:
        mentorship = await db.get(Mentorship, int_param(request, "mentorship_id"))
        if mentorship is None:
            raise not_found("mentorship")
        await end_mentorship(db, mentorship, user, data.reason)
        told = await mentorship_ended(db, mentorship, user)
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect("/admin/programme?done=ended")


async def suspend_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    require_admin(user)
    await read_form(request)
    await suspend_and_disconnect(request, user, int_param(request, "user_id"))
    raise redirect("/admin/programme?done=suspended")
