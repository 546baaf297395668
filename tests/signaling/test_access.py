"""Who gets into a room (checked before the upgrade), second tabs, drops and attendance."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from aiohttp import WSMsgType
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from models.base import utcnow
from models.sessions import Attendance, MentoringSession
from server import keys
from server.app import create_app
from server.security import JoinToken
from server.settings import Settings
from tests.conftest import Client, ClientFactory, MakeClient, signup
from tests.signaling.conftest import Cast, enter, receive, schedule

SECRET = "test-secret-key"


async def _refused(client: Client, url: str, status: int, code: str, **headers: str) -> None:
    response = await client.get(
        url,
        headers={
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            **headers,
        },
    )
    assert response.status == status, await response.text()
    assert (await response.json())["error"]["code"] == code


async def test_join_ticket_opens_the_room_without_a_cookie(
    cast: Cast, make_client: MakeClient
) -> None:
    ticket = await (await cast.mentee.get(f"/api/v1/sessions/{cast.session_id}/join")).json()
    assert set(ticket) == {"token", "expires_at", "ws_url", "ice_servers"}
    assert ticket["ws_url"].endswith(f"/ws/rooms/{cast.session_id}")
    assert ticket["ice_servers"] == []
    assert 0 < ticket["expires_at"] - time.time() <= 300
    anonymous = await make_client()
    ws = await anonymous.ws_connect(f"/ws/rooms/{cast.session_id}?token={ticket['token']}")
    await ws.send_json({"type": "join"})
    assert (await receive(ws, "welcome"))["user_id"] == cast.mentee_id
    await ws.close()


async def test_outsiders_bad_tokens_and_bad_origins_are_refused_before_upgrade(
    cast: Cast, make_client: MakeClient
) -> None:
    """[S5] Outsiders are refused before the upgrade, with the 404 a missing room gets."""
    room = f"/ws/rooms/{cast.session_id}"
    outsider = await make_client()
    user = await signup(outsider, "outsider@example.org", name="Olga")
    # "Not yours" and "not there" give the same answer, so ids tell a stranger nothing.
    await _refused(outsider, room, 404, "room_not_found")
    await _refused(outsider, "/ws/rooms/999999", 404, "room_not_found")
    joined = await outsider.get(f"/api/v1/sessions/{cast.session_id}/join")
    missing = await outsider.get("/api/v1/sessions/999999/join")
    assert joined.status == missing.status == 404
    assert await joined.json() == await missing.json()
    room_page = await outsider.get(f"/sessions/{cast.session_id}/room")
    missing_page = await outsider.get("/sessions/999999/room")
    assert room_page.status == missing_page.status == 404

    anonymous = await make_client()
    await _refused(anonymous, room, 401, "not_authenticated")
    outsiders_own = JoinToken(user["id"], cast.session_id, int(time.time()) + 60).encode(SECRET)
    await _refused(anonymous, f"{room}?token={outsiders_own}", 404, "room_not_found")
    expired = JoinToken(cast.mentee_id, cast.session_id, int(time.time()) - 1).encode(SECRET)
    await _refused(anonymous, f"{room}?token={expired}", 401, "invalid_token")
    forged = JoinToken(cast.mentee_id, cast.session_id, int(time.time()) + 60).encode("guess")
    await _refused(anonymous, f"{room}?token={forged}", 401, "invalid_token")
    other_room = JoinToken(cast.mentee_id, cast.session_id + 1, int(time.time()) + 60).encode(
        SECRET
    )
    await _refused(anonymous, f"{room}?token={other_room}", 401, "invalid_token")
    await _refused(anonymous, f"{room}?token=garbage", 401, "invalid_token")

    await _refused(cast.mentee, room, 403, "bad_origin", Origin="https://evil.example")
    same_host = str(cast.mentee.make_url("/")).rstrip("/")
    ws = await cast.mentee.ws_connect(room, origin=same_host)
    await ws.send_json({"type": "join"})
    await receive(ws, "welcome")
    await ws.close()


async def test_outside_the_time_window_the_room_is_closed(cast: Cast) -> None:
    later = await schedule(cast.mentor, cast.mentee_id, starts_in=timedelta(hours=2))
    response = await cast.mentee.get(f"/api/v1/sessions/{later}/join")
    assert response.status == 409
    assert (await response.json())["error"]["code"] == "too_early"
    await _refused(cast.mentee, f"/ws/rooms/{later}", 409, "too_early")
    page = await cast.mentee.get(f"/sessions/{later}/room")
    assert page.status == 409
    assert "You can join from" in await page.text()
    # A session that is over (nobody can book one: it is moved back in the database).
    finished = await schedule(cast.mentor, cast.mentee_id, starts_in=timedelta(hours=1))
    async with cast.mentor.app[keys.DB]() as db:
        session = await db.get(MentoringSession, finished)
        assert session is not None
        session.starts_at = utcnow() - timedelta(hours=3)
        await db.commit()
    response = await cast.mentee.get(f"/api/v1/sessions/{finished}/join")
    assert (await response.json())["error"]["code"] == "session_ended"


async def test_a_second_tab_replaces_the_first_without_a_ghost(cast: Cast) -> None:
    mentor_ws, _ = await enter(cast.mentor, cast.session_id)
    first_ws, first = await enter(cast.mentee, cast.session_id)
    await receive(mentor_ws, "peer-joined")
    second_ws, second = await enter(cast.mentee, cast.session_id)
    assert [p["user_id"] for p in second["peers"]] == [cast.mentor_id]

    assert (await receive(first_ws, "replaced"))["by"] == second["peer_id"]
    closing = await first_ws.receive(timeout=3)
    assert closing.type == WSMsgType.CLOSE and closing.data == 4001
    left = await receive(mentor_ws, "peer-left")
    assert left == {
        "type": "peer-left",
        "peer_id": first["peer_id"],
        "user_id": cast.mentee_id,
        "reason": "replaced",
    }
    assert (await receive(mentor_ws, "peer-joined"))["peer"]["peer_id"] == second["peer_id"]
    room = cast.mentor.app[keys.ROOMS].room(cast.session_id)
    assert room is not None
    assert sorted(p.user_id for p in room) == sorted([cast.mentor_id, cast.mentee_id])
    await second_ws.close()
    await mentor_ws.close()


async def test_leaving_and_dropping_are_announced_and_attendance_recorded(cast: Cast) -> None:
    mentor_ws, _ = await enter(cast.mentor, cast.session_id)
    mentee_ws, mentee = await enter(cast.mentee, cast.session_id)
    await receive(mentor_ws, "peer-joined")
    await mentee_ws.send_json({"type": "leave"})
    closing = await mentee_ws.receive(timeout=3)
    assert closing.type == WSMsgType.CLOSE and closing.data == 1000
    assert (await receive(mentor_ws, "peer-left"))["reason"] == "left"

    again_ws, again = await enter(cast.mentee, cast.session_id)
    await receive(mentor_ws, "peer-joined")
    # The TCP connection goes away without a closing handshake.
    again_ws._response.connection.transport.abort()  # type: ignore[union-attr]
    dropped = await receive(mentor_ws, "peer-left", wait=2)
    assert dropped["peer_id"] == again["peer_id"] and dropped["reason"] == "dropped"
    await mentor_ws.close()
    await again_ws.close()

    for _ in range(40):  # the last departure is written just after the socket closes
        async with cast.mentor.app[keys.DB]() as db:
            rows = (await db.execute(select(Attendance).order_by(Attendance.id))).scalars().all()
        if len(rows) == 3 and all(r.left_at for r in rows):
            break
        await asyncio.sleep(0.05)
    assert [r.user_id for r in rows] == [cast.mentor_id, cast.mentee_id, cast.mentee_id]
    assert all(r.session_id == cast.session_id for r in rows)
    assert all(r.left_at is not None and r.left_at >= r.joined_at for r in rows)
    assert mentee["peer_id"] != again["peer_id"]


async def test_shutdown_closes_room_sockets_with_going_away(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    server = TestServer(create_app(settings))
    client: Client = await aiohttp_client(server)
    mentor = await signup(client, "m@example.org", roles=["mentor"])
    guest_client = await aiohttp_client(server)
    guest = await signup(guest_client, "g@example.org")
    session_id = await schedule(client, guest["id"])
    ws, _ = await enter(client, session_id)
    assert mentor["id"]
    await server.close()
    closing = await ws.receive(timeout=5)
    assert closing.type == WSMsgType.CLOSE and closing.data == 1001
