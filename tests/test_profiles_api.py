"""Profiles: editing my own, reading other people's without their private details."""

from __future__ import annotations

from tests.conftest import Client, MakeClient, signup


async def test_patch_me_changes_only_sent_fields(client: Client) -> None:
    await signup(client, "fay@example.org", roles=["mentor"], name="Fay")
    response = await client.patch(
        "/api/v1/me",
        json={
            "headline": "Data engineer",
            "skills": ["python", "sql", "python"],
            "timezone": "America/New_York",
            "mentor_capacity": 4,
        },
    )
    assert response.status == 200, await response.text()
    profile = (await response.json())["user"]["profile"]
    assert profile["headline"] == "Data engineer"
    assert profile["skills"] == ["python", "sql"]
    assert profile["timezone"] == "America/New_York"
    again = await client.patch("/api/v1/me", json={"bio": "Hi"})
    profile = (await again.json())["user"]["profile"]
    assert profile["headline"] == "Data engineer" and profile["bio"] == "Hi"


async def test_profile_validation_errors_are_clear(client: Client) -> None:
    await signup(client, "gil@example.org")
    cases = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"mentor_capacity": -1}, "mentor_capacity"),
        ({"max_travel_km": 100000}, "max_travel_km"),
        ({"headline": "x" * 141}, "headline"),
        ({"skills": ["s"] * 31}, "skills"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ]
    for body, field in cases:
        response = await client.patch("/api/v1/me", json=body)
        assert response.status == 422, body
        error = (await response.json())["error"]
        assert error["code"] == "validation_error"
        assert field in error["fields"], (body, error)
    # Nothing of the bad requests stuck.
    me = await (await client.get("/api/v1/me")).json()
    assert me["user"]["profile"]["timezone"] == "UTC"


async def test_public_profile_never_shows_email_or_coordinates(
    client: Client, make_client: MakeClient
) -> None:
    hana = await signup(client, "hana@example.org", roles=["mentor"], name="Hana")
    await client.patch("/api/v1/me", json={"city": "Lyon", "country": "FR", "bio": "Hello"})
    other = await make_client()
    await signup(other, "ivo@example.org")
    response = await other.get(f"/api/v1/users/{hana['id']}")
    assert response.status == 200
    text = await response.text()
    body = await response.json()
    assert body["user"]["name"] == "Hana"
    assert body["user"]["profile"]["city"] == ""  # the city stays hers until she shows it
    assert "hana@example.org" not in text
    for secret in ("latitude", "longitude", "lat", "lon", "email"):
        assert secret not in text
    assert (await other.get("/api/v1/users/99999")).status == 404
    assert (await other.get("/api/v1/users/abc")).status == 404
    await client.patch("/api/v1/me", json={"show_city": True})
    shown = await (await other.get(f"/api/v1/users/{hana['id']}")).json()
    assert shown["user"]["profile"]["city"] == "Lyon"


async def test_anonymous_requests_are_refused(client: Client) -> None:
    for method, path in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/sessions"),
        ("GET", "/api/v1/users/1"),
        ("GET", "/api/v1/mentorships"),
    ]:
        response = await client.request(method, path)
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "not_authenticated"
