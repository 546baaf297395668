"""Rooms under test: a real app with short liveness timers, a mentor, a mentee and an outsider."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType

from server import keys
from server.app import create_app
from server.settings import Settings
from signaling import Timing
from tests.conftest import JSON, Client, ClientFactory, MakeClient, signup

FAST = Timing(heartbeat=5.0, ping_interval=0.5, idle_limit=3.0, handshake=0.6, writer_drain=1.0)


@pytest.fixture
async def client(aiohttp_client: ClientFactory, settings: Settings) -> Client:
    """The real app, with liveness timers short enough to test."""
    app = create_app(settings)
    app[keys.ROOM_TIMING] = FAST
    return await aiohttp_client(app)


@dataclass
class Cast:
    """A session starting now and its two participants, each with their own cookies."""

    session_id: int
    mentor: Client
    mentee: Client
    mentor_id: int
    mentee_id: int


async def schedule(
    host: Client,
    guest_id: int,
    *,
    starts_in: timedelta = timedelta(),
    guest: Client | None = None,
) -> int:
    """A one-on-one session hosted by `host`, accepted by `guest` when given; returns its id."""
    start = datetime.now(UTC) + starts_in
    response = await host.post(
        "/api/v1/sessions",
        json={
            "title": "Weekly check-in",
            "starts_at": start.isoformat(),
            "duration_minutes": 60,
            "kind": "one_on_one",
            "participant_ids": [guest_id],
        },
    )
    assert response.status == 201, await response.text()
    session_id: int = (await response.json())["session"]["id"]
    if guest is not None:  # strangers are asked first (consent before contact)
        accepted = await guest.post(f"/api/v1/sessions/{session_id}/accept", headers=JSON)
        assert accepted.status in (200, 404), await accepted.text()  # 404: no need to ask
    return session_id


@pytest.fixture
async def cast(client: Client, make_client: MakeClient) -> Cast:
    mentor = await signup(client, "mentor@example.org", roles=["mentor"], name="Mina Mentor")
    mentee_client = await make_client()
    mentee = await signup(mentee_client, "mentee@example.org", name="Theo <b>Mentee</b>")
    session_id = await schedule(client, mentee["id"], guest=mentee_client)
    return Cast(session_id, client, mentee_client, mentor["id"], mentee["id"])


async def receive(ws: ClientWebSocketResponse, kind: str, wait: float = 3.0) -> dict[str, Any]:
    """The next message of type `kind`; server pings are answered, pongs skipped."""
    async with asyncio.timeout(wait):
        while True:
            msg = await ws.receive()
            assert msg.type == WSMsgType.TEXT, f"wanted {kind}, got {msg.type} {msg.data!r}"
            data: dict[str, Any] = json.loads(msg.data)
            if data["type"] == kind:
                return data
            if data["type"] == "ping":
                await ws.send_json({"type": "pong"})
            assert data["type"] in ("ping", "pong"), f"wanted {kind}, got {data}"


async def enter(
    client: Client, session_id: int, **media: bool
) -> tuple[ClientWebSocketResponse, dict[str, Any]]:
    """Open the room socket with the client's cookie and join; returns it and the welcome."""
    ws = await client.ws_connect(f"/ws/rooms/{session_id}")
    await ws.send_json({"type": "join", "media": media})
    return ws, await receive(ws, "welcome")
