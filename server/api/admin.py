"""Programme admins' API: the programme figures, their CSV, ending mentorships, suspending."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from aiohttp import web

from models.base import utcnow
from models.mentorships import Mentorship
from models.users import User
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import ApiError, not_found, read_json
from server.goal_schemas import EndMentorshipIn
from server.params import int_param
from server.representations import mentorship_json
from server.services.activity_notices import mentorship_ended
from server.services.admin import require_admin, suspend_account
from server.services.mentorships import end_mentorship
from server.services.programme import TABLES, Programme, programme, programme_csv

routes = ApiRoutes("admin")

# The longest range one request may ask for.
MAX_DAYS = 3 * 366


def date_range(query: Mapping[str, str]) -> tuple[date, date]:
    """`from` and `to` (YYYY-MM-DD, both included); the last 12 weeks when left out."""
    today = utcnow().date()
    try:
        ends_on = date.fromisoformat(query["to"]) if query.get("to") else today
        starts_on = (
            date.fromisoformat(query["from"])
            if query.get("from")
            else ends_on - timedelta(weeks=12)
        )
    except ValueError:
        raise ApiError(
            400, "bad_date", "Dates must look like 2026-01-31.", fields={"from": "YYYY-MM-DD"}
        ) from None
    if starts_on > ends_on:
        raise ApiError(400, "bad_range", "The start of the range is after its end.")
    if (ends_on - starts_on).days > MAX_DAYS:
        raise ApiError(400, "range_too_long", "Ask for at most three years at a time.")
    return starts_on, ends_on


async def admin_programme(request: web.Request) -> tuple[User, Programme]:
    """The requesting admin and the programme over the query's range."""
    user = await require_user(request)
    require_admin(user)
    starts_on, ends_on = date_range(request.query)
    async with unit_of_work(request.app) as db:
        found = await programme(db, starts_on, ends_on)
    return user, found


@routes.route("GET", "/admin/programme", "The programme's figures (?from=&to=, admins only)")
async def programme_json(request: web.Request) -> web.Response:
    _, found = await admin_programme(request)
    return web.json_response(found.json())


@routes.route(
    "GET", "/admin/programme.csv", "One programme table as CSV (?table=&from=&to=, admins only)"
)
async def programme_table(request: web.Request) -> web.Response:
    table = request.query.get("table", "")
    if table not in TABLES:
        raise ApiError(400, "unknown_table", f"Ask for one of: {', '.join(TABLES)}.")
    _, found = await admin_programme(request)
    return web.Response(
        text=programme_csv(found, table),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="programme-{table}.csv"'},
    )


@routes.route(
    "POST",
    "/admin/mentorships/{mentorship_id}/end",
    "End any mentorship with a reason (admins only)",
    body=EndMentorshipIn,
)
async def end_any(request: web.Request) -> web.Response:
    user = await require_user(request)
    require_admin(user)
    data = await read_json(request, EndMentorshipIn)
    async with unit_of_work(request.app) as db:
        mentorship = await db.get(Mentorship, int_param(request, "mentorship_id"))
        if mentorship is None:
            raise not_found("mentorship")
        await end_mentorship(db, mentorship, user, data.reason)
        told = await mentorship_ended(db, mentorship, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"mentorship": mentorship_json(mentorship)})


async def suspend_and_disconnect(request: web.Request, admin: User, user_id: int) -> User:
    """Suspend the account, then close its open sockets and notification streams."""
    async with unit_of_work(request.app) as db:
        suspended = await suspend_account(db, admin, user_id)
    request.app[keys.CONNECTIONS].close_user(suspended.id, reason="account suspended")
    request.app[keys.NOTIFIER].hub.publish(suspended.id, False)
    return suspended


@routes.route("POST", "/admin/users/{user_id}/suspend", "Suspend an account (admins only)")
async def suspend(request: web.Request) -> web.Response:
    user = await require_user(request)
    suspended = await suspend_and_disconnect(request, user, int_param(request, "user_id"))
    assert suspended.suspended_at is not None
    return web.json_response(
        {"user": {"id": suspended.id, "suspended_at": suspended.suspended_at.isoformat()}}
    )
