"""Check-in at a meetup's place: the code and its QR code for the host, checking in, ticking."""

from __future__ import annotations

import io

import segno
from aiohttp import web

from models.base import utcnow
from models.check_ins import check_ins_of
from models.meetups import Meetup
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import ApiError, read_json
from server.params import int_param
from server.schemas import CheckInIn
from server.services.calendar_feed import site_of
from server.services.meetup_sessions import check_in_by_code, session_meetup, tick_in

routes = ApiRoutes("check-in")


def check_in_link(meetup: Meetup, base: str) -> str:
    """What the QR code opens: the meetup page with the code filled in."""
    return f"{base.rstrip('/')}/meetups/{meetup.id}?code={meetup.check_in_code}"


def qr_svg(text: str) -> bytes:
    """The QR code of `text` as a standalone SVG, drawn here: no third-party image service."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=6, border=2, title="Check-in code")
    return out.getvalue()


@routes.route(
    "POST",
    "/sessions/{session_id}/check-in",
    "Check in at the meetup's place with its code; the host ticks someone with user_id",
    body=CheckInIn,
)
async def check_in(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, CheckInIn)
    session_id, now = int_param(request, "session_id"), utcnow()
    if (data.code is None) == (data.user_id is None):
        raise ApiError(
            422,
            "validation_error",
            "Give the code shown at the venue, or (as the host) the user_id to tick.",
            fields={"code": "Give code or user_id."},
        )
    async with unit_of_work(request.app) as db:
        if data.code is not None:
            row = await check_in_by_code(db, user, session_id, data.code.strip(), now)
        else:
            assert data.user_id is not None
            row = await tick_in(db, user, session_id, data.user_id, now)
    return web.json_response(
        {
            "check_in": {
                "user_id": row.user_id,
                "checked_in_at": row.checked_in_at.isoformat(),
                "ticked_by_host": row.is_ticked_by_host,
            }
        }
    )


@routes.route(
    "GET",
    "/sessions/{session_id}/check-in",
    "Who checked in; the host also gets the code and the QR code's address",
)
async def status(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        session, meetup = await session_meetup(db, user, int_param(request, "session_id"))
        rows = await check_ins_of(db, session.id)
    body: dict[str, object] = {
        "checked_in": [
            {"user_id": r.user_id, "checked_in_at": r.checked_in_at.isoformat()} for r in rows
        ]
    }
    if session.host_id == user.id:
        body["code"] = meetup.check_in_code
        body["qr_svg_url"] = f"/api/v1/sessions/{session.id}/check-in.svg"
    return web.json_response(body)


@routes.route(
    "GET", "/sessions/{session_id}/check-in.svg", "The check-in QR code as SVG (host only)"
)
async def qr(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        session, meetup = await session_meetup(db, user, int_param(request, "session_id"))
    if session.host_id != user.id:
        raise ApiError(403, "not_host", "Only the host shows the check-in code.")
    svg = qr_svg(check_in_link(meetup, site_of(request.app).base_url))
    return web.Response(
        body=svg,
        content_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )
