"""Live rooms: the signaling WebSocket, the room registry, and (in sfu/) media forwarding."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from server.keys import ROOM_TIMING, ROOMS
from signaling.handler import Timing, room_socket
from signaling.peer import CloseCode
from signaling.rooms import RoomRegistry

__all__ = ["ROOMS", "RoomRegistry", "Timing", "setup_signaling"]


async def _close_rooms(app: web.Application) -> None:
    """On shutdown, ask every room connection to close with GOING_AWAY."""
    app[ROOMS].close_all(CloseCode.GOING_AWAY, "server shutdown")


async def _room_registry(app: web.Application) -> AsyncIterator[None]:
    yield
    app[ROOMS].close_all(CloseCode.GOING_AWAY, "server shutdown")
    await app[ROOMS].drain()  # attendance is written before the database closes


def setup_signaling(app: web.Application, timing: Timing | None = None) -> RoomRegistry:
    """The room registry in app state, its WebSocket route, and closing it at shutdown."""
    registry = RoomRegistry()
    app[ROOMS] = registry
    app[ROOM_TIMING] = timing or Timing()
    app.router.add_get("/ws/rooms/{session_id}", room_socket)
    app.on_shutdown.append(_close_rooms)
    app.cleanup_ctx.append(_room_registry)
    return registry
