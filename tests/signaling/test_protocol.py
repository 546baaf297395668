"""The room protocol over real WebSockets: join, relay, media, chat, and every error path."""

from __future__ import annotations

import asyncio
import json

from aiohttp import WSMsgType
from pydantic import BaseModel

from server import keys
from signaling.messages import ClientMessage, Join, ProtocolError
from signaling.peer import Peer
from signaling.rooms import Refused, Room
from tests.signaling.conftest import Cast, enter, receive


async def test_join_relay_media_chat_and_ping(cast: Cast) -> None:
    mentor_ws, mentor_welcome = await enter(cast.mentor, cast.session_id, mic=True, camera=True)
    assert mentor_welcome["peers"] == []
    assert mentor_welcome["user_id"] == cast.mentor_id
    mentee_ws, welcome = await enter(cast.mentee, cast.session_id, mic=True)
    mentor_peer, mentee_peer = mentor_welcome["peer_id"], welcome["peer_id"]
    assert welcome["peers"] == [
        {
            "peer_id": mentor_peer,
            "user_id": cast.mentor_id,
            "name": "Mina Mentor",
            "media": {"mic": True, "camera": True, "screen": False},
        }
    ]
    joined = await receive(mentor_ws, "peer-joined")
    assert joined["peer"]["peer_id"] == mentee_peer
    assert joined["peer"]["name"] == "Theo <b>Mentee</b>"

    await mentee_ws.send_json({"type": "offer", "to": mentor_peer, "sdp": "v=0 offer"})
    assert await receive(mentor_ws, "offer") == {
        "type": "offer",
        "sdp": "v=0 offer",
        "from": mentee_peer,
    }
    await mentor_ws.send_json({"type": "answer", "to": mentee_peer, "sdp": "v=0 answer"})
    assert (await receive(mentee_ws, "answer"))["from"] == mentor_peer
    candidate = {
        "candidate": "candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    }
    await mentee_ws.send_json({"type": "candidate", "to": mentor_peer, "candidate": candidate})
    relayed = await receive(mentor_ws, "candidate")
    assert relayed["from"] == mentee_peer and relayed["candidate"]["sdpMid"] == "0"

    # The sender's identity comes from the connection: a forged "from" is refused.
    await mentee_ws.send_json({"type": "offer", "to": mentor_peer, "sdp": "x", "from": "evil"})
    assert (await receive(mentee_ws, "error"))["code"] == "invalid_message"

    await mentee_ws.send_json({"type": "media", "mic": False, "camera": True, "screen": True})
    media = await receive(mentor_ws, "media")
    assert media == {
        "type": "media",
        "from": mentee_peer,
        "mic": False,
        "camera": True,
        "screen": True,
    }

    await mentor_ws.send_json({"type": "chat", "text": "  <script>hi</script>  "})
    for ws in (mentor_ws, mentee_ws):
        chat = await receive(ws, "chat")
        assert chat["text"] == "<script>hi</script>" and chat["name"] == "Mina Mentor"

    await mentee_ws.send_json({"type": "ping", "id": 7})
    assert await receive(mentee_ws, "pong") == {"type": "pong", "id": 7}
    await mentor_ws.close()
    await mentee_ws.close()


async def test_bad_messages_get_errors_and_the_call_goes_on(cast: Cast) -> None:
    mentor_ws, mentor_welcome = await enter(cast.mentor, cast.session_id)
    mentee_ws, welcome = await enter(cast.mentee, cast.session_id)
    mentor_peer = mentor_welcome["peer_id"]
    await receive(mentor_ws, "peer-joined")

    bad = [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_message"),
        (json.dumps({"type": "teleport"}), "unknown_type"),
        (json.dumps({"type": "offer", "to": mentor_peer}), "invalid_message"),
        (json.dumps({"type": "offer", "to": "nobody-here", "sdp": "v=0"}), "unknown_peer"),
        (
            json.dumps({"type": "candidate", "to": welcome["peer_id"], "candidate": None}),
            "unknown_peer",
        ),
        (json.dumps({"type": "chat", "text": "x" * 1001}), "invalid_message"),
        (json.dumps({"type": "chat", "text": "   "}), "invalid_message"),
        (json.dumps({"type": "join"}), "already_joined"),
        (json.dumps({"type": "chat", "text": "x" * 100_000}), "too_large"),
    ]
    for raw, code in bad:
        await mentee_ws.send_str(raw)
        error = await receive(mentee_ws, "error")
        assert error["code"] == code, (raw[:60], error)
        assert error["message"]
    await mentee_ws.send_bytes(b"\x00\x01")
    assert (await receive(mentee_ws, "error"))["code"] == "binary_unsupported"

    # A flood is cut down to the token bucket's burst; the excess gets rate_limited errors.
    for i in range(80):
        await mentee_ws.send_json({"type": "ping", "id": i})
    codes = []
    for _ in range(80):
        msg = json.loads((await mentee_ws.receive(timeout=3)).data)
        codes.append(msg.get("code", msg["type"]))
    assert "rate_limited" in codes and codes.count("pong") >= 40
    await asyncio.sleep(1.0)  # the bucket refills

    # Still connected, and relaying both ways.
    await mentee_ws.send_json({"type": "offer", "to": mentor_peer, "sdp": "v=0 still here"})
    assert (await receive(mentor_ws, "offer"))["sdp"] == "v=0 still here"
    await mentor_ws.send_json({"type": "answer", "to": welcome["peer_id"], "sdp": "v=0 ok"})
    assert (await receive(mentee_ws, "answer"))["sdp"] == "v=0 ok"
    assert not mentee_ws.closed and not mentor_ws.closed
    await mentor_ws.close()
    await mentee_ws.close()


async def test_a_frame_beyond_the_hard_limit_closes_with_1009(cast: Cast) -> None:
    ws, _ = await enter(cast.mentee, cast.session_id)
    await ws.send_str("x" * 300_000)
    msg = await ws.receive(timeout=3)
    while msg.type == WSMsgType.TEXT:
        msg = await ws.receive(timeout=3)
    assert msg.type == WSMsgType.CLOSE and msg.data == 1009


async def test_messages_before_join_are_refused_and_silence_times_out(cast: Cast) -> None:
    ws = await cast.mentee.ws_connect(f"/ws/rooms/{cast.session_id}")
    await ws.send_json({"type": "chat", "text": "hello?"})
    assert (await receive(ws, "error"))["code"] == "join_first"
    assert (await receive(ws, "error"))["code"] == "handshake_timeout"
    msg = await ws.receive(timeout=3)
    assert msg.type == WSMsgType.CLOSE and msg.data == 4002


async def test_a_silent_peer_is_pinged_then_dropped_and_others_told(cast: Cast) -> None:
    mentor_ws, _ = await enter(cast.mentor, cast.session_id)
    # autoping only answers WebSocket pings; this client ignores the app-level `ping`.
    mentee_ws, welcome = await enter(cast.mentee, cast.session_id)
    await receive(mentor_ws, "peer-joined")
    assert json.loads((await mentee_ws.receive(timeout=2)).data) == {"type": "ping"}
    left = await receive(mentor_ws, "peer-left", wait=5)
    assert left["peer_id"] == welcome["peer_id"] and left["reason"] == "dropped"
    await mentor_ws.close()


class Shout(ClientMessage):
    """A made-up extension message, as the notes or the SFU would add."""

    type: str
    words: str


async def test_other_features_can_register_message_types(cast: Cast) -> None:
    registry = cast.mentor.app[keys.ROOMS]
    joins: list[str] = []

    async def shout(room: Room, peer: Peer, msg: BaseModel) -> None:
        assert isinstance(msg, Shout)
        if msg.words == "boom":
            raise ProtocolError("no_boom", "No booms here.")
        room.broadcast(
            {"type": "shout", "from": peer.peer_id, "words": msg.words.upper()}, exclude=peer
        )

    async def joined(room: Room, peer: Peer) -> None:
        joins.append(peer.name)

    registry.register_handler("shout", Shout, shout)
    registry.on_join(joined)
    mentor_ws, _ = await enter(cast.mentor, cast.session_id)
    mentee_ws, _ = await enter(cast.mentee, cast.session_id)
    await receive(mentor_ws, "peer-joined")
    await mentee_ws.send_json({"type": "shout", "words": "hello"})
    assert (await receive(mentor_ws, "shout"))["words"] == "HELLO"
    await mentee_ws.send_json({"type": "shout", "words": "boom"})
    assert (await receive(mentee_ws, "error"))["code"] == "no_boom"
    assert joins == ["Mina Mentor", "Theo <b>Mentee</b>"]
    await mentor_ws.close()
    await mentee_ws.close()


async def test_a_gate_can_hold_peers_in_a_lobby_and_refuse_them(cast: Cast) -> None:
    registry = cast.mentor.app[keys.ROOMS]
    registry.gate = None  # this test's gate stands in for the app's own (office hours)
    let_in = asyncio.Event()

    async def lobby(session_id: int, peer: Peer, join: Join) -> None:
        if peer.user_id == cast.mentor_id:
            return
        if join.media.screen:
            raise Refused("declined", "Not with a screen share.", 4011)
        peer.send({"type": "lobby-wait"})
        await let_in.wait()

    registry.set_gate(lobby)
    mentor_ws, _ = await enter(cast.mentor, cast.session_id)
    waiting = await cast.mentee.ws_connect(f"/ws/rooms/{cast.session_id}")
    await waiting.send_json({"type": "join"})
    assert (await receive(waiting, "lobby-wait"))["type"] == "lobby-wait"
    await waiting.send_json({"type": "ping", "id": 1})
    assert (await receive(waiting, "pong"))["id"] == 1  # still answered while waiting
    await waiting.send_json({"type": "chat", "text": "let me in"})
    assert (await receive(waiting, "error"))["code"] == "not_admitted"
    let_in.set()
    welcome = await receive(waiting, "welcome")
    assert (await receive(mentor_ws, "peer-joined"))["peer"]["peer_id"] == welcome["peer_id"]
    await waiting.close()

    refused = await cast.mentee.ws_connect(f"/ws/rooms/{cast.session_id}")
    await refused.send_json({"type": "join", "media": {"screen": True}})
    assert (await receive(refused, "error"))["code"] == "declined"
    closing = await refused.receive(timeout=3)
    assert closing.type == WSMsgType.CLOSE and closing.data == 4011
    await mentor_ws.close()
