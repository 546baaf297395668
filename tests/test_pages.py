"""The HTML pages: forms with CSRF tokens, redirects, escaping, security headers."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Client, MakeClient, signup

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _token(client: Client, path: str) -> str:
    page = await client.get(path)
    assert page.status == 200
    match = TOKEN.search(await page.text())
    assert match
    return match.group(1)


async def test_signup_login_logout_through_forms(client: Client) -> None:
    token = await _token(client, "/signup")
    response = await client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Jo",
            "email": "jo@example.org",
            "password": "long enough pw",
            "roles": "mentee",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/profile?welcome=1"
    dashboard = await client.get("/dashboard")
    assert "Hello, Jo" in await dashboard.text()

    token = await _token(client, "/dashboard")
    out = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert out.status == 303
    after = await client.get("/dashboard", allow_redirects=False)
    assert after.status == 303
    assert after.headers["Location"] == "/login?next=/dashboard"

    token = await _token(client, "/login")
    wrong = await client.post(
        "/login?next=/profile",
        data={"csrf_token": token, "email": "jo@example.org", "password": "bad password"},
    )
    assert wrong.status == 401
    assert "password is wrong" in await wrong.text()
    back = await client.post(
        "/login?next=/profile",
        data={"csrf_token": token, "email": "jo@example.org", "password": "long enough pw"},
        allow_redirects=False,
    )
    assert back.headers["Location"] == "/profile"


async def test_forms_without_a_valid_csrf_token_are_refused(client: Client) -> None:
    await _token(client, "/signup")  # the browser has a CSRF cookie, the attacker no token
    for token in (None, "forged"):
        data = {
            "name": "Mallory",
            "email": "m@example.org",
            "password": "long enough pw",
            "roles": "mentee",
        }
        if token:
            data["csrf_token"] = token
        response = await client.post("/signup", data=data)
        assert response.status == 403
        assert "Reload the page" in await response.text()
    # No account was created by the refused posts.
    login = await client.post(
        "/api/v1/auth/login", json={"email": "m@example.org", "password": "long enough pw"}
    )
    assert login.status == 401


async def test_login_next_is_never_an_open_redirect(client: Client) -> None:
    await signup(client, "kai@example.org")
    await client.post("/api/v1/auth/logout", headers={"Content-Type": "application/json"})
    token = await _token(client, "/login")
    response = await client.post(
        "/login?next=//evil.example/",
        data={"csrf_token": token, "email": "kai@example.org", "password": "correct horse battery"},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    "sneaky",
    ["/%09/evil.example", "/%0A/evil.example", "/%0D/evil.example", "/%5Cevil.example", "/\\evil"],
)
async def test_login_next_with_dropped_characters_stays_on_site(
    client: Client, sneaky: str
) -> None:
    """Tabs and line breaks vanish from a Location header: `/<tab>/evil` is not `//evil`."""
    await signup(client, "kai@example.org")
    await client.post("/api/v1/auth/logout", headers={"Content-Type": "application/json"})
    token = await _token(client, "/login")
    response = await client.post(
        f"/login?next={sneaky}",
        data={"csrf_token": token, "email": "kai@example.org", "password": "correct horse battery"},
        allow_redirects=False,
    )
    assert response.status == 303
    location = response.headers["Location"]
    assert location == "/dashboard"
    assert not location.startswith("//") and "evil" not in location


async def test_user_text_is_escaped_on_pages(client: Client, make_client: MakeClient) -> None:
    user = await signup(client, "xss@example.org", name="<script>alert(1)</script>")
    await client.patch("/api/v1/me", json={"bio": "<img src=x onerror=alert(2)>"})
    viewer = await make_client()
    await signup(viewer, "viewer@example.org")
    page = await (await viewer.get(f"/users/{user['id']}")).text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


async def test_profile_form_shows_field_errors_inline(client: Client) -> None:
    await signup(client, "lu@example.org")
    token = await _token(client, "/profile")
    response = await client.post(
        "/profile",
        data={
            "csrf_token": token,
            "name": "Lu",
            "timezone": "Nowhere/Land",
            "mentor_capacity": "-3",
            "max_travel_km": "20",
        },
    )
    assert response.status == 422
    text = await response.text()
    assert 'id="e-timezone"' in text and "Unknown time zone" in text
    assert 'id="e-mentor_capacity"' in text
    assert 'value="Nowhere/Land"' in text  # what the user typed is kept


async def test_security_headers_and_health(client: Client) -> None:
    for path in ("/", "/healthz", "/static/css/tandem.css", "/api/v1/openapi.json"):
        response = await client.get(path)
        assert response.status == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    health = await (await client.get("/healthz")).json()
    assert health == {"status": "ok", "dependencies": {"database": "ok"}}


async def test_unknown_pages_are_readable_404s(client: Client) -> None:
    page = await client.get("/no/such/page")
    assert page.status == 404
    assert "Not found" in await page.text()
    api = await client.get("/api/v1/nope")
    assert api.status == 404
    assert (await api.json())["error"]["code"] == "not_found"
