"""The programme admin's matching page: review the optimal proposal, untick pairs, send."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from server import keys
from server.db import unit_of_work
from server.errors import ApiError
from server.services import matching, programme_matching
from web.forms import read_form
from web.rendering import page_user, redirect, render

MAX_PAIRS = 5000


async def matching_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    programme_matching.require_admin(user)
    now = utcnow()
    async with unit_of_work(request.app) as db:
        await matching.expire_requests(db, now, request.app[keys.SETTINGS].request_expiry_hours)
        catalog = await request.app[keys.MENTOR_CATALOG].current(db, now)
        result = await programme_matching.run(db, catalog)
    sent, refused = request.query.get("sent"), request.query.get("refused")
    return await render(
        request, "admin_matching.html", {"result": result, "sent": sent, "refused": refused}
    )


def _pair(value: str) -> tuple[int, int]:
    mentee, _, mentor = value.partition(":")
    if not (mentee.isdigit() and mentor.isdigit()) or len(value) > 30:
        raise ApiError(422, "validation_error", "A proposed pair was not understood.")
    return int(mentee), int(mentor)


async def send_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    programme_matching.require_admin(user)
    form = await read_form(request)
    pairs = [_pair(v) for v in form.getall("pair", []) if isinstance(v, str)]
    if not pairs:
        raise ApiError(422, "validation_error", "Tick at least one pair to send.")
    if len(pairs) > MAX_PAIRS:
        raise ApiError(422, "validation_error", f"Send at most {MAX_PAIRS} pairs at once.")
    async with unit_of_work(request.app) as db:
        sent, refused = await programme_matching.send(db, pairs)
    raise redirect(f"/admin/matching?sent={len(sent)}&refused={len(refused)}")
