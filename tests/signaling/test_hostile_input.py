"""Hostile frames on a room socket get an `error` and the connection goes on; a broken writer
closes its socket and takes its peer out of the room; silence is cut off on time."""

from __future__ import annotations

import json
import time

from aiohttp import WSMsgType
from pydantic import BaseModel

from server import keys
from server.app import create_app
from server.settings import Settings
from signaling import Timing
from signaling.messages import ClientMessage
from signaling.peer import Peer
from signaling.rooms import Room
from tests.conftest import Client, ClientFactory, signup
from tests.signaling.conftest import Cast, enter, receive, schedule


async def _still_answers(ws: object, ping_id: int) -> None:
    await ws.send_json({"type": "ping", "id": ping_id})  # type: ignore[attr-defined]
    assert (await receive(ws, "pong"))["id"] == ping_id  # type: ignore[arg-type]


async def test_a_lone_surrogate_in_the_type_gets_an_error_and_the_call_goes_on(
    cast: Cast,
) -> None:
    ws, _ = await enter(cast.mentee, cast.session_id)
    await ws.send_str('{"type": "\\ud800"}')
    error = await receive(ws, "error")
    assert (error["code"], error["for"]) == ("unknown_type", "\ud800")
    await _still_answers(ws, 1)
    await ws.close()


async def test_a_5000_digit_integer_is_invalid_json_not_a_closed_connection(cast: Cast) -> None:
    ws, _ = await enter(cast.mentee, cast.session_id)
    await ws.send_str('{"type": "ping", "id": ' + "7" * 5000 + "}")
    assert (await receive(ws, "error"))["code"] == "invalid_json"
    await _still_answers(ws, 2)
    # Before the handshake too.
    fresh = await cast.mentor.ws_connect(f"/ws/rooms/{cast.session_id}")
    await fresh.send_str('{"type": "join", "n": ' + "9" * 5000 + "}")
    assert (await receive(fresh, "error"))["code"] == "invalid_json"
    await ws.close()
    await fresh.close()


class Poison(ClientMessage):
    type: str


async def test_a_writer_that_fails_closes_the_socket_and_the_peer_leaves(cast: Cast) -> None:
    registry = cast.mentor.app[keys.ROOMS]

    async def poison(room: Room, peer: Peer, msg: BaseModel) -> None:
        peer.send_frame("\udc00 cannot be written as UTF-8")  # a feature's bug, not the client's

    registry.register_handler("poison", Poison, poison)
    mentor_ws, _ = await enter(cast.mentor, cast.session_id)
    mentee_ws, welcome = await enter(cast.mentee, cast.session_id)
    await receive(mentor_ws, "peer-joined")
    await mentee_ws.send_json({"type": "poison"})
    closing = await mentee_ws.receive(timeout=3)
    assert (closing.type, closing.data) == (WSMsgType.CLOSE, 1011)
    left = await receive(mentor_ws, "peer-left")
    assert (left["peer_id"], left["reason"]) == (welcome["peer_id"], "dropped")
    room = registry.room(cast.session_id)
    assert room is not None and list(room.peers) != [welcome["peer_id"]]
    assert welcome["peer_id"] not in room.peers
    await mentor_ws.close()


async def test_the_idle_limit_holds_although_websocket_pongs_keep_coming(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    app = create_app(settings)
    # WebSocket pings every 0.4 s, answered by the client library: they prove the link is up,
    # not that the client speaks the protocol. The app-level limit must still apply.
    app[keys.ROOM_TIMING] = Timing(
        heartbeat=0.4, ping_interval=0.5, idle_limit=1.5, handshake=1.0, writer_drain=1.0
    )
    client: Client = await aiohttp_client(app)
    await signup(client, "host@example.org", roles=["mentor"])
    guest: Client = await aiohttp_client(client.server)
    guest_user = await signup(guest, "guest@example.org")
    session_id = await schedule(client, guest_user["id"], guest=guest)
    ws = await guest.ws_connect(f"/ws/rooms/{session_id}")
    await ws.send_json({"type": "join"})
    joined_at = time.monotonic()
    while True:  # app-level pings go unanswered
        msg = await ws.receive(timeout=5)
        if msg.type != WSMsgType.TEXT:
            break
        assert json.loads(msg.data)["type"] in ("welcome", "ping")
    assert (msg.type, msg.data) == (WSMsgType.CLOSE, 4002)
    assert 1.4 < time.monotonic() - joined_at < 3.0  # never, before: pongs kept it open
