"""Rooms API: a participant's ticket into a session's live call."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import ApiError
from server.params import int_param
from server.services.rooms import RoomRefused, admit, join_ticket

routes = ApiRoutes("rooms")


def room_ws_url(request: web.Request, session_id: int) -> str:
    """The absolute WebSocket URL of a session's room, as the browser reached this server."""
    scheme = "wss" if request.secure else "ws"
    return f"{scheme}://{request.host}/ws/rooms/{session_id}"


@routes.route(
    "GET",
    "/sessions/{session_id}/join",
    "A join token, WebSocket URL and ICE servers (participants, within the join window)",
)
async def join(request: web.Request) -> web.Response:
    user = await require_user(request)
    session_id = int_param(request, "session_id")
    try:
        async with unit_of_work(request.app) as db:
            await admit(db, session_id, user.id, utcnow())
    except RoomRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    ticket = join_ticket(request.app[keys.SETTINGS], session_id, user)
    return web.json_response(
        {
            "token": ticket.token,
            "expires_at": ticket.expires_at,
            "ws_url": room_ws_url(request, session_id),
            "ice_servers": ticket.ice_servers,
        },
        headers={"Cache-Control": "no-store"},
    )
