"""The room WebSocket endpoint: check, upgrade, handshake, one receive loop, clean up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.users import User
from server import keys
from server.auth import current_user
from server.db import unit_of_work
from server.errors import error_response
from server.params import parse_id
from server.security import InvalidJoinToken, JoinToken
from server.services.meetup_sessions import venue_label
from server.services.rooms import (
    RoomRefused,
    admit,
    admit_participant,
    record_arrival,
    record_departure,
)
from signaling import messages as m
from signaling.peer import BURST, MESSAGES_PER_SECOND, CloseCode, Peer, TokenBucket
from signaling.rooms import Refused, Room, RoomRegistry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timing:
    """Liveness settings of room connections (tests shorten them)."""

    heartbeat: float = 20.0  # WebSocket-level ping (aiohttp closes if no pong within half)
    ping_interval: float = 15.0  # app-level `ping` when the client has been quiet this long
    idle_limit: float = 45.0  # close with 4002 after this long without any message
    handshake: float = 10.0  # time allowed to send `join`
    writer_drain: float = 2.0  # how long the writer may take to flush on the way out


def _origin_allowed(request: web.Request) -> bool:
    """Same host as the page, or listed in allowed_origins; no Origin means not a browser."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin in request.app[keys.SETTINGS].allowed_origins:
        return True
    return urlsplit(origin).netloc == request.host


async def _caller(request: web.Request, db: AsyncSession, session_id: int) -> User | web.Response:
    """The user behind a join token (preferred) or the login cookie, or a 401 response."""
    token = request.query.get("token")
    if token is None:
        user = await current_user(request)
        if user is None:
            return error_response(401, "not_authenticated", "Log in or pass a join token.")
        return user
    try:
        parsed = JoinToken.decode(request.app[keys.SETTINGS].secret_key, token, room_id=session_id)
    except InvalidJoinToken as exc:
        return error_response(401, "invalid_token", str(exc).capitalize() + ".")
    user = await db.get(User, parsed.user_id)
    if user is None:
        return error_response(401, "invalid_token", "The join token's user no longer exists.")
    if parsed.is_issued_before(user.credentials_changed_at):
        return error_response(401, "invalid_token", "The join token predates a password change.")
    if not request.app[keys.SPENT_JOIN_TOKENS].spend(parsed):
        return error_response(401, "invalid_token", "The join token was used already.")
    return user


Admission = Callable[[AsyncSession, int, int, datetime], Awaitable[object]]


@dataclass(frozen=True)
class Endpoint:
    """What differs between room WebSockets: whose rooms, who may enter, what is recorded."""

    registry: web.AppKey[RoomRegistry]
    admission: Admission
    records_attendance: bool
    burst: int = BURST  # messages a connection may send at once before the rate limit bites


def room_endpoint(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A WebSocket handler for `endpoint`'s rooms, all sharing one shape."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await _room_socket(request, endpoint)

    return handler


async def _room_socket(request: web.Request, endpoint: Endpoint) -> web.StreamResponse:
    """Refuse with JSON before upgrading, then run the peer."""
    if not _origin_allowed(request):
        return error_response(403, "bad_origin", "This origin may not open room connections.")
    session_id = parse_id(request.match_info["session_id"])
    if session_id is None:
        return error_response(404, "room_not_found", "There is no such session.")
    async with request.app[keys.DB]() as db:  # read only
        user = await _caller(request, db, session_id)
        if isinstance(user, web.Response):
            return user
        try:
            await endpoint.admission(db, session_id, user.id, utcnow())
        except RoomRefused as exc:
            return error_response(exc.status, exc.code, exc.message)
        # The venue laptop of a hybrid meetup shows as the place, not as whoever logged in.
        venue = None
        if request.query.get("device") == "room":
            venue = await venue_label(db, session_id, user.id)

    timing = request.app[keys.ROOM_TIMING]
    ws = web.WebSocketResponse(heartbeat=timing.heartbeat, max_msg_size=m.HARD_MAX_BYTES)
    await ws.prepare(request)
    peer = Peer(
        user_id=user.id,
        name=venue or user.name,
        bucket=TokenBucket(rate=MESSAGES_PER_SECOND, burst=endpoint.burst),
    )
    writer = asyncio.create_task(peer.pump(ws.send_str, _closer(ws)))
    # Known to account code, which closes it when the user's credentials end.
    request.app[keys.CONNECTIONS].opened(user.id, session_id, peer)
    registry = request.app[endpoint.registry]
    room: Room | None = None
    arrival: asyncio.Task[int | None] | None = None
    reason = "dropped"
    try:
        join = await _handshake(ws, peer, timing)
        if join is None:
            return ws
        peer.media = join.media
        if not await _pass_gate(ws, registry, session_id, peer, join):
            return ws
        room = await registry.join(session_id, peer)
        if endpoint.records_attendance:
            # Written beside the call, not before it: a busy database never delays the welcome.
            arrival = registry.track(_arrive(request.app, session_id, peer))
        reason = await _receive_loop(ws, registry, room, peer, timing)
    finally:
        # The server cancels this handler when the client vanishes: finish leaving regardless.
        departure = registry.track(
            _depart(request.app, registry, room, peer, reason, arrival, writer)
        )
        try:
            await asyncio.shield(departure)
        finally:
            request.app[keys.CONNECTIONS].closed(user.id, peer)
            with contextlib.suppress(Exception):
                await ws.close()
    return ws


async def _arrive(app: web.Application, session_id: int, peer: Peer) -> int | None:
    """Open the peer's attendance row; its id, or None if the database failed."""
    try:
        async with unit_of_work(app) as db:
            return await record_arrival(db, session_id, peer.user_id)
    except Exception:
        log.exception("room %s: peer %s: arrival not recorded", session_id, peer.peer_id)
        return None


async def _depart(
    app: web.Application,
    registry: RoomRegistry,
    room: Room | None,
    peer: Peer,
    reason: str,
    arrival: asyncio.Task[int | None] | None,
    writer: asyncio.Task[None],
) -> None:
    """Leave the room, record the departure, and let the writer flush and close."""
    if room is not None:
        await registry.leave(room, peer, reason=reason)
    attendance_id = await arrival if arrival is not None else None
    if attendance_id is not None:
        try:
            async with unit_of_work(app) as db:
                await record_departure(db, attendance_id, utcnow())
        except Exception:
            log.exception(
                "room %s: peer %s: departure not recorded", room and room.session_id, peer.peer_id
            )
    peer.close(CloseCode.NORMAL, "bye")
    try:
        await asyncio.wait_for(writer, app[keys.ROOM_TIMING].writer_drain)
    except Exception:  # a stuck or broken socket: nothing more can be sent to it anyway
        writer.cancel()


def _closer(ws: web.WebSocketResponse) -> Callable[[int, str], Awaitable[None]]:
    """How the peer's writer closes this socket with a code and reason."""

    async def close(code: int, reason: str) -> None:
        await ws.close(code=code, message=reason.encode())

    return close


async def _handshake(ws: web.WebSocketResponse, peer: Peer, timing: Timing) -> m.Join | None:
    """Wait for `join`; other messages get an error. None if the client never sends it."""
    deadline = time.monotonic() + timing.handshake
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = await ws.receive(timeout=left)
        except TimeoutError:
            break
        if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            return None
        try:
            kind, data = m.parse_envelope(msg.data)
            if kind != "join":
                raise m.ProtocolError("join_first", 'Send {"type": "join"} first.')
            return m.validate_as(m.Join, data)
        except m.ProtocolError as exc:
            peer.send(m.error(exc.code, exc.message))
    peer.send(m.error("handshake_timeout", "No join message in time."))
    peer.close(CloseCode.IDLE, "no join")
    return None


async def _pass_gate(
    ws: web.WebSocketResponse, registry: RoomRegistry, session_id: int, peer: Peer, join: m.Join
) -> bool:
    """Run the registry's gate (e.g. a lobby) while still answering pings; False if kept out."""
    if registry.gate is None:
        return True
    admission = asyncio.ensure_future(registry.gate(session_id, peer, join))
    try:
        while not admission.done():
            reading = asyncio.ensure_future(ws.receive())
            await asyncio.wait({admission, reading}, return_when=asyncio.FIRST_COMPLETED)
            if not reading.done():
                reading.cancel()
                await asyncio.wait({reading})  # the socket allows one reader at a time
                break
            msg = reading.result()
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                return False  # gone while waiting
            try:
                kind, data = m.parse_envelope(msg.data)
                if kind == "ping":
                    peer.send({"type": "pong", "id": m.validate_as(m.Ping, data).id})
                elif kind == "leave":
                    return False
                elif kind != "pong":
                    raise m.ProtocolError("not_admitted", "Wait until you are let in.")
            except m.ProtocolError as exc:
                peer.send(m.error(exc.code, exc.message))
        await admission
    except Refused as exc:
        peer.send(m.error(exc.code, exc.message))
        peer.close(exc.close_code, exc.code)
        return False
    finally:
        admission.cancel()  # no-op once decided
    return True


GOODBYE_CLOSE_CODES = (CloseCode.NORMAL, CloseCode.GOING_AWAY)
NOTES_CATCH_UP_BURST = 300


async def _receive_loop(
    ws: web.WebSocketResponse, registry: RoomRegistry, room: Room, peer: Peer, timing: Timing
) -> str:
    """Dispatch every message until the connection ends; returns why it ended."""
    last_heard = time.monotonic()
    next_ping = last_heard + timing.ping_interval
    while True:
        now = time.monotonic()
        if now - last_heard >= timing.idle_limit:
            log.info("room %s: peer %s idle, closing", room.session_id, peer.peer_id)
            peer.close(CloseCode.IDLE, "idle")
            return "dropped"
        if now >= next_ping:
            peer.send({"type": "ping"})
            next_ping = now + timing.ping_interval
        # A deadline around receive, not its `timeout`, which restarts on every WebSocket-level
        # pong that aiohttp swallows inside it: those must not postpone the idle limit.
        wait = min(next_ping, last_heard + timing.idle_limit) - now
        try:
            async with asyncio.timeout(wait):
                msg = await ws.receive()
        except TimeoutError:
            continue
        if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            # Closing normally or going away (a tab closed or reloaded) is a goodbye; any other
            # close (a client that will reconnect, say) or a broken connection is a drop.
            is_goodbye = msg.type == WSMsgType.CLOSE and msg.data in GOODBYE_CLOSE_CODES
            return "left" if is_goodbye else "dropped"
        last_heard = time.monotonic()
        next_ping = last_heard + timing.ping_interval
        kind = ""
        try:
            kind, data = m.parse_envelope(msg.data)
            if not peer.bucket.take():
                raise m.ProtocolError("rate_limited", "Too many messages; slow down.")
            if kind == "leave":
                peer.close(CloseCode.NORMAL, "left")
                return "left"
            if kind == "join":
                raise m.ProtocolError("already_joined", "This connection has already joined.")
            await registry.dispatch(room, peer, kind, data)
        except m.ProtocolError as exc:
            peer.send(m.error(exc.code, exc.message, **({"for": kind[:40]} if kind else {})))
        except Exception:  # a bug in a handler: answer it and keep the connection
            log.exception("room %s: peer %s: %r failed", room.session_id, peer.peer_id, kind[:40])
            peer.send(
                m.error(
                    "internal_error",
                    "The server could not handle this message.",
                    **{"for": kind[:40]},
                )
            )


CALLS = Endpoint(keys.ROOMS, admit, records_attendance=True)
# Notes stay editable before, during and after the call, from any number of tabs.
# Their catch-up burst lets a client send the edits it queued while offline or while the
# server was slow (docs/notes-protocol.md).
NOTES = Endpoint(
    keys.NOTES_ROOMS, admit_participant, records_attendance=False, burst=NOTES_CATCH_UP_BURST
)
room_socket = room_endpoint(CALLS)
notes_socket = room_endpoint(NOTES)
