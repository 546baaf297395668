"""Hypothesis-made frames against the call, office-hours and notes sockets of a running server.

Whatever arrives, the sender keeps its connection (it still answers a `ping`), and every peer
left in the room can still be written to. Bounded to a few seconds per socket.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import keys
from signaling.rooms import RoomRegistry
from tests.conftest import Client, MakeClient, signup
from tests.signaling.conftest import schedule
from tests.signaling.test_office_hours_room import Participant, office_hours

# Every message type the sockets know, but those that end the connection by design: `leave`,
# and `sfu-answer` (a bad answer to a pending offer fails the media and closes with 4013).
TYPES = [
    "join", "offer", "answer", "candidate", "media", "chat", "ping", "pong", "notes-sync",
    "notes-update", "notes-typing", "sfu-candidate", "hand", "hand-lower", "lobby-admit",
    "lobby-admit-all", "lobby-decline", "mute", "stop-camera", "remove", "spotlight",
]  # fmt: skip
FIELDS = [
    "to", "sdp", "candidate", "mic", "camera", "screen", "text", "id", "doc", "update",
    "state_vector", "seq", "client_id", "peer_id", "raised", "media", "sdpMid", "sdpMLineIndex",
]  # fmt: skip

texts = st.text(st.characters(codec=None, categories=None), max_size=12)  # lone surrogates too
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
    | st.sampled_from(["shared", "private:1", "AAAA", "v=0"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
messages = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES) | texts}, optional={name: values for name in FIELDS}
).map(lambda message: json.dumps(message))
frames = st.lists(
    messages
    | texts
    | st.binary(max_size=16)
    | st.sampled_from(
        [
            '{"type": "ping", "id": ' + "9" * 5000 + "}",
            '{"type": "\\ud800"}',
            "[" * 5000,
            '{"type": "chat", "text": "' + "x" * 120_000 + '"}',
            "null",
        ]
    ),
    max_size=4,
)


@dataclass
class Prober:
    """A connection whose replies are read in the background, so its outbox never fills."""

    ws: ClientWebSocketResponse
    inbox: dict[str, asyncio.Queue[dict[str, Any]]] = field(default_factory=dict)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, http: Client, url: str) -> Prober:
        prober = cls(await http.ws_connect(url))
        prober.task = asyncio.create_task(prober._read())
        await prober.ws.send_json({"type": "join"})
        return prober

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            if data["type"] == "ping":
                await self.ws.send_json({"type": "pong"})
            self.inbox.setdefault(data["type"], asyncio.Queue()).put_nowait(data)
        self.closed.set()


Connection = Prober | Participant
ping_ids = itertools.count(1)


async def still_answers(conn: Connection) -> None:
    """The connection is open and its writer works: a `ping` comes back as its `pong`."""
    assert conn.ws is not None
    ping_id = next(ping_ids)
    pongs = conn.inbox.setdefault("pong", asyncio.Queue())
    async with asyncio.timeout(10):
        while True:
            assert not conn.closed.is_set(), f"closed with {conn.ws.close_code}"
            await conn.ws.send_json({"type": "ping", "id": ping_id})
            try:  # a ping may itself be rate limited: then ask again
                while (await asyncio.wait_for(pongs.get(), 1.0))["id"] != ping_id:
                    pass
                return
            except TimeoutError:
                continue


@dataclass
class Target:
    fuzzer: Connection
    others: list[Connection]
    registry: RoomRegistry
    session_id: int


@pytest.fixture(params=["call", "office_hours", "notes"])
async def target(
    request: pytest.FixtureRequest, client: Client, make_client: MakeClient
) -> AsyncIterator[Target]:
    made: list[Connection] = []
    if request.param == "office_hours":
        cast = await office_hours(client, make_client, attendees=1, admission="open")
        for http in (cast.host, cast.attendees[0]):
            participant = Participant(http, answers=True)
            await participant.joined(cast.session_id)
            made.append(participant)
        session_id, registry = cast.session_id, client.app[keys.ROOMS]
    else:
        await signup(client, "mentor@example.org", roles=["mentor"])
        guest = await make_client()
        guest_id = (await signup(guest, "guest@example.org"))["id"]
        session_id = await schedule(client, guest_id, guest=guest)
        is_notes = request.param == "notes"
        url = f"/ws/sessions/{session_id}/notes" if is_notes else f"/ws/rooms/{session_id}"
        made = [await Prober.open(client, url), await Prober.open(guest, url)]
        registry = client.app[keys.NOTES_ROOMS if is_notes else keys.ROOMS]
    for conn in made:
        await still_answers(conn)
    yield Target(made[-1], made[:-1], registry, session_id)
    for conn in made:
        if isinstance(conn, Participant):
            await conn.leave()
        else:
            await conn.ws.close()
            if conn.task is not None:
                conn.task.cancel()


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=frames)
async def test_no_frame_drops_a_connection_or_strands_a_peer(
    target: Target, batch: list[str | bytes]
) -> None:
    assert target.fuzzer.ws is not None
    for frame in batch:
        if isinstance(frame, bytes):
            await target.fuzzer.ws.send_bytes(frame)
        else:
            await target.fuzzer.ws.send_str(frame)
    await still_answers(target.fuzzer)
    for other in target.others:
        await still_answers(other)
    room = target.registry.room(target.session_id)
    assert room is not None and len(room.peers) == 1 + len(target.others)
