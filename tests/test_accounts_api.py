"""Sign-up, log-in, log-out and password changes through the JSON API."""

from __future__ import annotations

import asyncio

from tests.conftest import Client, MakeClient, signup


async def test_signup_logs_in_with_a_safe_cookie(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "ada@example.org",
            "password": "correct horse battery",
            "name": "Ada",
            "roles": ["mentee", "mentor"],
        },
    )
    assert response.status == 201
    user = (await response.json())["user"]
    assert user["name"] == "Ada"
    assert sorted(user["roles"]) == ["mentee", "mentor"]
    set_cookie = response.headers["Set-Cookie"]
    assert "tandem_session=" in set_cookie
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "Secure" not in set_cookie  # plain http on loopback; https turns it on
    me = await (await client.get("/api/v1/me")).json()
    assert me["user"]["email"] == "ada@example.org"


async def test_duplicate_email_in_any_case_is_refused(
    client: Client, make_client: MakeClient
) -> None:
    await signup(client, "Ada@Example.org")
    other = await make_client()
    response = await other.post(
        "/api/v1/auth/signup",
        json={
            "email": "ada@EXAMPLE.ORG",
            "password": "another password",
            "name": "Copy",
            "roles": ["mentee"],
        },
    )
    assert response.status == 409
    body = await response.json()
    assert body["error"]["code"] == "email_taken"
    assert "email" in body["error"]["fields"]


async def test_signup_validation_names_each_bad_field(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "not-an-email", "password": "short", "name": "", "roles": ["admin"]},
    )
    assert response.status == 422
    fields = (await response.json())["error"]["fields"]
    assert {"email", "password", "name"} <= set(fields)
    assert any(key.startswith("roles") for key in fields)


async def test_login_wrong_password_and_logout_revokes_session(
    client: Client, make_client: MakeClient
) -> None:
    await signup(client, "bo@example.org")
    browser = await make_client()
    bad = await browser.post(
        "/api/v1/auth/login", json={"email": "bo@example.org", "password": "wrong password"}
    )
    assert bad.status == 401
    assert (await bad.json())["error"]["code"] == "invalid_credentials"
    good = await browser.post(
        "/api/v1/auth/login", json={"email": "BO@example.org", "password": "correct horse battery"}
    )
    assert good.status == 200
    token = browser.session.cookie_jar.filter_cookies(browser.make_url("/"))["tandem_session"].value
    assert (
        await browser.post("/api/v1/auth/logout", headers={"Content-Type": "application/json"})
    ).status == 204
    # The old cookie no longer works even if someone kept a copy of it.
    replay = await client.get("/api/v1/me", cookies={"tandem_session": token})
    assert replay.status == 401


async def test_repeated_failures_are_throttled_with_retry_after(client: Client) -> None:
    await signup(client, "cy@example.org")
    statuses = []
    for _ in range(6):
        response = await client.post(
            "/api/v1/auth/login", json={"email": "cy@example.org", "password": "nope nope"}
        )
        statuses.append(response.status)
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    assert int(response.headers["Retry-After"]) > 0
    # Even the right password waits until the window passes.
    right = await client.post(
        "/api/v1/auth/login", json={"email": "cy@example.org", "password": "correct horse battery"}
    )
    assert right.status == 429


async def test_guesses_sent_all_at_once_are_throttled_too(client: Client) -> None:
    await signup(client, "par@example.org")

    async def guess(n: int) -> int:
        wrong = {"email": "par@example.org", "password": f"guess number {n}"}
        return (await client.post("/api/v1/auth/login", json=wrong)).status

    statuses = await asyncio.gather(*(guess(n) for n in range(20)))
    assert statuses.count(401) == 5 and statuses.count(429) == 15, statuses


async def test_a_right_password_does_not_count_against_the_address(client: Client) -> None:
    await signup(client, "ok@example.org")
    login = {"email": "ok@example.org", "password": "correct horse battery"}
    for _ in range(25):  # more than the address limit of 20 failures
        assert (await client.post("/api/v1/auth/login", json=login)).status == 200


async def test_per_address_throttle_covers_many_accounts(client: Client) -> None:
    codes = set()
    for i in range(21):
        response = await client.post(
            "/api/v1/auth/login", json={"email": f"nobody{i}@example.org", "password": "x"}
        )
        codes.add(response.status)
    assert 429 in codes


async def test_password_change_requires_current_and_ends_other_logins(
    client: Client,
    make_client: MakeClient,
) -> None:
    await signup(client, "di@example.org")
    laptop = await make_client()
    await laptop.post(
        "/api/v1/auth/login", json={"email": "di@example.org", "password": "correct horse battery"}
    )
    wrong = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "guess", "new_password": "a new long password"},
    )
    assert wrong.status == 422
    ok = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "correct horse battery", "new_password": "a new long password"},
    )
    assert ok.status == 204
    assert (await client.get("/api/v1/me")).status == 200
    assert (await laptop.get("/api/v1/me")).status == 401
    fresh = await laptop.post(
        "/api/v1/auth/login", json={"email": "di@example.org", "password": "a new long password"}
    )
    assert fresh.status == 200


async def test_api_writes_must_be_json_so_forms_cannot_forge_them(client: Client) -> None:
    await signup(client, "eve@example.org")
    forged = await client.patch(
        "/api/v1/me",
        data="headline=pwned",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status == 415
    assert (await forged.json())["error"]["code"] == "json_required"


async def test_malformed_and_oversized_bodies_get_clear_errors(client: Client) -> None:
    bad = await client.post(
        "/api/v1/auth/login", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status == 400
    assert (await bad.json())["error"]["code"] == "invalid_json"
    huge = await client.post(
        "/api/v1/auth/login", data="x" * 200_000, headers={"Content-Type": "application/json"}
    )
    assert huge.status == 413
    assert (await huge.json())["error"]["code"] == "body_too_large"
    listy = await client.post("/api/v1/auth/login", json=[1, 2])
    assert listy.status == 400
