"""Calendar API: a session as .ics, and each user's private, revocable feed."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from models.users import users_by_ids
from server import keys
from server.api.access import participant_session
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.calendar import session_ics
from server.db import unit_of_work
from server.errors import not_found
from server.params import int_param
from server.services.calendar_feed import (
    FeedAddress,
    feed_address,
    feed_body,
    feed_owner,
    new_feed_address,
    site_of,
)

routes = ApiRoutes("calendars")


def _ics(body: bytes, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def _address_json(address: FeedAddress) -> dict[str, str]:
    return {"url": address.url, "webcal_url": address.webcal_url}


@routes.route("GET", "/sessions/{session_id}/calendar.ics", "The session as an iCalendar event")
async def session_calendar(request: web.Request) -> web.Response:
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        people = await users_by_ids(db, session.participant_ids)
    body = session_ics(session, people, site_of(request.app))
    return _ics(body, f"tandem-session-{session.id}.ics")


@routes.route("GET", "/me/calendar-feed", "My private calendar feed address")
async def my_feed(request: web.Request) -> web.Response:
    user = await require_user(request)
    secret = request.app[keys.SETTINGS].secret_key
    async with unit_of_work(request.app) as db:
        address = await feed_address(db, site_of(request.app), secret, user.id)
    return web.json_response({"feed": _address_json(address)})


@routes.route("POST", "/me/calendar-feed/rotate", "A new feed address; the old one stops working")
async def rotate(request: web.Request) -> web.Response:
    user = await require_user(request)
    secret = request.app[keys.SETTINGS].secret_key
    async with unit_of_work(request.app) as db:
        address = await new_feed_address(db, site_of(request.app), secret, user.id)
    return web.json_response({"feed": _address_json(address)})


@routes.route(
    "GET",
    "/calendar-feeds/{user_id}/{token}.ics",
    "A private calendar feed (the address is the key; no cookie needed)",
    auth=False,
)
async def feed(request: web.Request) -> web.Response:
    user_id = int_param(request, "user_id")
    token = request.match_info["token"]
    if len(token) > 100:
        raise not_found("feed")
    secret = request.app[keys.SETTINGS].secret_key
    async with unit_of_work(request.app) as db:
        owner = await feed_owner(db, secret, user_id, token)
        if owner is None:
            raise not_found("feed")
        body = await feed_body(db, site_of(request.app), owner, utcnow())
    return _ics(body, "tandem.ics")
