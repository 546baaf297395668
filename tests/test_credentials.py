"""Credentials that end when they should, and throttles that stop strangers but not owners."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestServer

from models.users import User
from server import keys
from server.access_log import RequestLog
from server.app import create_app
from server.connections import SIGNED_OUT
from server.security import hash_password
from server.settings import Settings, SettingsError, settings_from_env
from tests.conftest import JSON, Client, ClientFactory, MakeClient, signup
from tests.signaling.conftest import enter, receive, schedule

PASSWORD = "correct horse battery"


def _from(address: str) -> dict[str, str]:
    """Headers of a request that came through the trusted proxy from `address`."""
    return {"X-Forwarded-For": f"{address}, 10.0.0.7"}


@pytest.fixture
async def proxied(aiohttp_client: ClientFactory, settings: Settings) -> Client:
    """The app behind a reverse proxy on 127.0.0.1 (and 10.0.0.0/8), with a low sign-up limit."""
    behind = replace(settings, trusted_proxies=("127.0.0.1", "10.0.0.0/8"), signups_per_hour=3)
    return await aiohttp_client(create_app(behind))


async def _login(client: Client, email: str, password: str, **headers: str) -> int:
    body = {"email": email, "password": password}
    return (await client.post("/api/v1/auth/login", json=body, headers=headers)).status


async def test_right_passwords_in_a_burst_all_get_in(client: Client) -> None:
    """30 people behind one address log in at once: only failures count, so all get in."""
    password_hash = hash_password(PASSWORD)
    async with client.app[keys.DB]() as db:
        db.add_all(
            User(
                email=f"crowd{n}@example.org",
                email_normalized=f"crowd{n}@example.org",
                name=f"Crowd {n}",
                password_hash=password_hash,
                roles=["mentee"],
            )
            for n in range(30)
        )
        await db.commit()
    statuses = await asyncio.gather(
        *(_login(client, f"crowd{n}@example.org", PASSWORD) for n in range(30))
    )
    assert statuses == [200] * 30
    # The same account from one place, many tabs at once: also all in.
    tabs = await asyncio.gather(*(_login(client, "crowd0@example.org", PASSWORD) for _ in range(8)))
    assert tabs == [200] * 8


async def test_a_strangers_guesses_do_not_lock_the_owner_out(proxied: Client) -> None:
    await signup(proxied, "owner@example.org", **{})
    stranger = _from("203.0.113.9")
    guesses = [
        await _login(proxied, "owner@example.org", "wrong guess!", **stranger) for _ in range(7)
    ]
    assert guesses[:5] == [401] * 5 and guesses[5:] == [429, 429]
    # The owner, on their own device, is not locked out by someone else's guesses.
    assert await _login(proxied, "owner@example.org", PASSWORD, **_from("198.51.100.7")) == 200
    # The stranger stays throttled even with the right password (they may have guessed it).
    assert await _login(proxied, "owner@example.org", PASSWORD, **stranger) == 429


async def test_a_forged_forwarded_for_dodges_nothing(client: Client) -> None:
    """No trusted proxy is configured: X-Forwarded-For is the client's own word, ignored."""
    codes = []
    for n in range(21):
        headers = {"X-Forwarded-For": f"192.0.2.{n}"}
        codes.append(await _login(client, f"nobody{n}@example.org", "x", **headers))
    assert codes[:20] == [401] * 20 and codes[20] == 429


async def test_the_current_password_check_is_throttled_like_login(client: Client) -> None:
    await signup(client, "pw@example.org")
    wrong = {"current_password": "not my password", "new_password": "brand new password"}
    statuses = [(await client.post("/api/v1/auth/password", json=wrong)).status for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    right = {"current_password": PASSWORD, "new_password": "brand new password"}
    throttled = await client.post("/api/v1/auth/password", json=right)
    assert throttled.status == 429 and int(throttled.headers["Retry-After"]) > 0


async def test_sign_ups_are_limited_per_client_address(
    proxied: Client, make_client: MakeClient
) -> None:
    async def sign_up(n: int, address: str) -> int:
        body = {
            "email": f"probe{n}@example.org",
            "password": PASSWORD,
            "name": "P",
            "roles": ["mentee"],
        }
        response = await proxied.post("/api/v1/auth/signup", json=body, headers=_from(address))
        return response.status

    assert [await sign_up(n, "203.0.113.50") for n in range(4)] == [201, 201, 201, 429]
    assert await sign_up(9, "198.51.100.20") == 201  # someone else, elsewhere, is not blocked


async def test_a_join_token_opens_one_connection(client: Client, make_client: MakeClient) -> None:
    await signup(client, "host@example.org", roles=["mentor"])
    guest = await make_client()
    guest_id = (await signup(guest, "guest@example.org"))["id"]
    session_id = await schedule(client, guest_id, guest=guest)
    ticket = await (await guest.get(f"/api/v1/sessions/{session_id}/join")).json()
    stranger = await make_client()  # someone who found the token in a log or a screenshot
    first = await guest.ws_connect(f"/ws/rooms/{session_id}?token={ticket['token']}")
    await first.send_json({"type": "join"})
    await receive(first, "welcome")
    replay = await stranger.get(f"/ws/rooms/{session_id}?token={ticket['token']}")
    assert replay.status == 401
    assert (await replay.json())["error"]["code"] == "invalid_token"
    await first.close()


async def _closed_with(ws: Any) -> int:
    while (message := await asyncio.wait_for(ws.receive(), 5)).type == WSMsgType.TEXT:
        pass
    assert message.type == WSMsgType.CLOSE
    return int(message.data)


@pytest.mark.parametrize("how", ["password", "logout-everywhere"])
async def test_ending_credentials_closes_sockets_and_voids_tokens(
    client: Client, make_client: MakeClient, how: str
) -> None:
    await signup(client, "host2@example.org", roles=["mentor"])
    guest = await make_client()
    guest_id = (await signup(guest, "guest2@example.org"))["id"]
    session_id = await schedule(client, guest_id, guest=guest)
    stolen = (await (await guest.get(f"/api/v1/sessions/{session_id}/join")).json())["token"]
    call, _ = await enter(guest, session_id)
    notes = await guest.ws_connect(f"/ws/sessions/{session_id}/notes")
    await notes.send_json({"type": "join"})
    await receive(notes, "welcome")
    host_call, _ = await enter(client, session_id)

    if how == "password":
        change = {"current_password": PASSWORD, "new_password": "a whole new password"}
        assert (await guest.post("/api/v1/auth/password", json=change)).status == 204
    else:
        ended = await guest.post("/api/v1/auth/logout-everywhere", headers=JSON)
        assert ended.status == 204
    assert await _closed_with(call) == SIGNED_OUT
    assert await _closed_with(notes) == SIGNED_OUT
    # A token issued before is void, even unused.
    anonymous = await make_client()
    refused = await anonymous.get(f"/ws/rooms/{session_id}?token={stolen}")
    assert refused.status == 401
    # Nobody else's connection was touched: the host sees the guest go, and stays.
    assert (await receive(host_call, "peer-left"))["user_id"] == guest_id
    await host_call.send_json({"type": "ping", "id": 1})
    assert (await receive(host_call, "pong"))["type"] == "pong"
    await host_call.close()


async def test_join_tokens_never_reach_the_access_log(
    aiohttp_client: ClientFactory, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    server = TestServer(create_app(settings))
    await server.start_server(access_log_class=RequestLog)  # as `serve` runs it
    client = await aiohttp_client(server)
    secret = "eyJzZWNyZXQiOnRydWV9.c2lnbmF0dXJl"
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        await client.get(f"/ws/rooms/1?token={secret}")
        await client.get(f"/healthz?a=1&token={secret}&b=2")
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 2, lines
    assert all(secret not in line for line in lines), lines
    assert "/ws/rooms/1" in lines[0] and "/healthz" in lines[1]


def test_trusted_proxies_come_from_the_environment() -> None:
    env = {"TANDEM_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8", "TANDEM_SIGNUPS_PER_HOUR": "5"}
    loaded = settings_from_env(env)
    assert loaded.trusted_proxies == ("127.0.0.1", "10.0.0.0/8") and loaded.signups_per_hour == 5
    with pytest.raises(SettingsError, match="TANDEM_TRUSTED_PROXIES"):
        settings_from_env({"TANDEM_TRUSTED_PROXIES": "proxy.example.org"})
