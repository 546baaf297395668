"""What the protocol document promises about office-hours messages, checked on both room kinds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientWebSocketResponse

from tests.conftest import Client, MakeClient, signup
from tests.signaling.conftest import Cast, enter, receive
from tests.signaling.test_office_hours_room import office_hours


async def next_of(ws: ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    """The next message of type `kind`, skipping the room's own traffic (offers, hands...)."""
    async with asyncio.timeout(3):
        while True:
            msg: dict[str, Any] = await ws.receive_json()
            if msg["type"] == kind:
                return msg


async def test_sfu_messages_in_a_one_on_one_room_are_not_office_hours(cast: Cast) -> None:
    ws, _ = await enter(cast.mentee, cast.session_id)
    await ws.send_json({"type": "sfu-answer", "sdp": "v=0"})
    assert (await receive(ws, "error"))["code"] == "not_office_hours"
    await ws.send_json({"type": "sfu-candidate", "candidate": None})
    assert (await receive(ws, "error"))["code"] == "not_office_hours"
    await ws.close()


async def test_office_hours_rooms_refuse_peer_to_peer_negotiation(
    client: Client, make_client: MakeClient
) -> None:
    cast = await office_hours(client, make_client, attendees=1, admission="open")
    host_ws, host_welcome = await enter(cast.host, cast.session_id)
    guest_ws, _ = await enter(cast.attendees[0], cast.session_id)
    host_peer = host_welcome["peer_id"]
    candidate = {"candidate": "candidate:1 1 udp 1 192.0.2.2 5000 typ host", "sdpMid": "0"}
    for message in (
        {"type": "offer", "to": host_peer, "sdp": "v=0"},
        {"type": "answer", "to": host_peer, "sdp": "v=0"},
        {"type": "candidate", "to": host_peer, "candidate": candidate},
    ):
        await guest_ws.send_json(message)
        error = await next_of(guest_ws, "error")
        assert (error["code"], error["for"]) == ("sfu_only", message["type"])
    await host_ws.send_json({"type": "ping", "id": 5})
    while (msg := await host_ws.receive_json(timeout=3))["type"] != "pong":
        assert msg["type"] not in ("offer", "answer", "candidate"), msg  # nothing was relayed
    await guest_ws.close()
    await host_ws.close()


async def test_sessions_api_refuses_to_make_office_hours(client: Client) -> None:
    await signup(client, "m@example.org", roles=["mentor"])
    response = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Drop-in",
            "kind": "office_hours",
            "starts_at": datetime.now(UTC).isoformat(),
            "duration_minutes": 30,
        },
    )
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "validation_error" and "kind" in error["fields"]
    assert "/api/v1/office-hours" in error["message"]
