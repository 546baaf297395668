"""Hostile input on the HTTP side: every odd request is a clear 4xx, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import JSON, Client, MakeClient, signup
from tests.test_agenda_api import _mentorship_session

# "²", Arabic-Indic "٣" and a fullwidth "１": str.isdigit() says yes to each, int() to none or
# to a surprising number.
ODD_IDS = ["%C2%B2", "%D9%A3", "%EF%BC%91", "9" * 30, str(2**63), "0", "-1"]


@pytest.mark.parametrize("raw", ODD_IDS)
async def test_odd_path_ids_are_not_found_everywhere(client: Client, raw: str) -> None:
    await signup(client, "odd@example.org")
    api = await client.get(f"/api/v1/users/{raw}")
    assert api.status == 404, await api.text()
    assert (await api.json())["error"]["code"] == "not_found"
    page = await client.get(f"/users/{raw}")
    assert page.status == 404, await page.text()
    assert "text/html" in page.headers["Content-Type"]
    for socket in (f"/ws/rooms/{raw}", f"/ws/sessions/{raw}/notes"):
        refused = await client.get(socket)
        assert refused.status == 404, await refused.text()
        assert (await refused.json())["error"]["code"] == "room_not_found"


@pytest.mark.parametrize(
    "body",
    [
        "[" * 20_000 + "]" * 20_000,
        '{"name": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}",
        '{"max_travel_km": ' + "9" * 5000 + "}",
    ],
    ids=["deep-list", "deep-object", "5000-digit-integer"],
)
async def test_json_bodies_that_break_the_parser_are_400(client: Client, body: str) -> None:
    await signup(client, "json@example.org")
    response = await client.patch("/api/v1/me", data=body, headers=JSON)
    assert response.status == 400, await response.text()
    assert (await response.json())["error"]["code"] == "invalid_json"


async def test_ids_beyond_64_bits_in_bodies_are_422(
    client: Client, make_client: MakeClient
) -> None:
    _, _, mentee_client, _, sid = await _mentorship_session(client, make_client)
    for path, body in [
        ("/api/v1/mentorships", {"mentor_id": 2**64}),
        (f"/api/v1/sessions/{sid}/agenda", {"title": "x", "owner_id": 2**70}),
        (f"/api/v1/sessions/{sid}/action-items", {"title": "x", "owner_id": 2**63}),
    ]:
        response = await mentee_client.post(path, json=body)
        assert response.status == 422, (path, await response.text())
        assert (await response.json())["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    "starts_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:00-01:00", "9999-12-31T23:00Z"]
)
async def test_times_at_the_edge_of_the_calendar_are_422(client: Client, starts_at: str) -> None:
    await signup(client, "edge@example.org", roles=["mentor"])
    for path, body in [
        ("/api/v1/sessions", {"title": "T", "starts_at": starts_at, "duration_minutes": 60}),
        (
            "/api/v1/office-hours",
            {"title": "T", "starts_at": starts_at, "duration_minutes": 60, "capacity": 2},
        ),
    ]:
        response = await client.post(path, json=body)
        assert response.status == 422, (path, await response.text())
        assert "starts_at" in (await response.json())["error"]["fields"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
async def test_dates_at_the_edge_of_the_calendar_are_422(
    client: Client, make_client: MakeClient, day: str
) -> None:
    _, mentee, mentee_client, _, sid = await _mentorship_session(client, make_client)
    response = await mentee_client.post(
        f"/api/v1/sessions/{sid}/action-items",
        json={"title": "x", "owner_id": mentee["id"], "due_on": day},
    )
    assert response.status == 422, await response.text()
    assert "due_on" in (await response.json())["error"]["fields"]
    series = await client.post(
        "/api/v1/office-hours",
        json={
            "title": "T",
            "starts_at": "2030-01-01T09:00:00Z",
            "duration_minutes": 60,
            "capacity": 2,
            "recurrence": {"weekly_until": day},
        },
    )
    assert series.status == 422, await series.text()
    assert "recurrence.weekly_until" in (await series.json())["error"]["fields"]


async def test_null_in_a_profile_resets_the_field_or_is_refused(client: Client) -> None:
    await signup(client, "nulls@example.org", roles=["mentor"])
    filled: dict[str, Any] = {
        "headline": "Engineer",
        "bio": "Bio",
        "skills": ["go"],
        "goals": "Goals",
        "industry": "Software",
        "languages": ["en"],
        "timezone": "Europe/Paris",
        "open_to_meetups": True,
        "max_travel_km": 80,
        "mentor_capacity": 4,
    }
    assert (await client.patch("/api/v1/me", json=filled)).status == 200
    cleared = await client.patch("/api/v1/me", json=dict.fromkeys(filled))
    assert cleared.status == 200, await cleared.text()
    profile = (await cleared.json())["user"]["profile"]
    # The documented meaning of null: back to what a new account starts with.
    assert {key: profile[key] for key in filled} == {
        "headline": "",
        "bio": "",
        "skills": [],
        "goals": "",
        "industry": "",
        "languages": [],
        "timezone": "UTC",
        "open_to_meetups": False,
        "max_travel_km": 25,
        "mentor_capacity": 0,
    }
    for key in ("city", "country"):
        assert (await client.patch("/api/v1/me", json={key: None})).status == 200
    refused = await client.patch("/api/v1/me", json={"name": None})
    assert refused.status == 422, await refused.text()
    assert "name" in (await refused.json())["error"]["fields"]


async def test_null_in_agenda_fields_clears_or_is_refused(
    client: Client, make_client: MakeClient
) -> None:
    _, mentee, mentee_client, _, sid = await _mentorship_session(client, make_client)
    created = await mentee_client.post(
        f"/api/v1/sessions/{sid}/agenda",
        json={"title": "Intro", "details": "d", "owner_id": mentee["id"], "minutes": 5},
    )
    item = (await created.json())["item"]
    await mentee_client.patch(f"/api/v1/sessions/{sid}/agenda/{item['id']}", json={"done": True})
    cleared = await mentee_client.patch(
        f"/api/v1/sessions/{sid}/agenda/{item['id']}",
        json={"details": None, "owner_id": None, "minutes": None, "done": None},
    )
    assert cleared.status == 200, await cleared.text()
    got = (await cleared.json())["item"]
    assert (got["details"], got["owner_id"], got["minutes"], got["done"]) == ("", None, None, False)
    for field in ("title", "position"):
        refused = await mentee_client.patch(
            f"/api/v1/sessions/{sid}/agenda/{item['id']}", json={field: None}
        )
        assert refused.status == 422, await refused.text()
        assert field in (await refused.json())["error"]["fields"]

    action = await mentee_client.post(
        f"/api/v1/sessions/{sid}/action-items",
        json={"title": "Read", "owner_id": mentee["id"], "due_on": "2030-02-01"},
    )
    action_id = (await action.json())["action_item"]["id"]
    await mentee_client.patch(f"/api/v1/action-items/{action_id}", json={"done": True})
    cleared = await mentee_client.patch(
        f"/api/v1/action-items/{action_id}", json={"due_on": None, "done": None}
    )
    assert cleared.status == 200, await cleared.text()
    got = (await cleared.json())["action_item"]
    assert (got["due_on"], got["done"]) == (None, False)
    refused = await mentee_client.patch(f"/api/v1/action-items/{action_id}", json={"title": None})
    assert refused.status == 422, await refused.text()
    assert "title" in (await refused.json())["error"]["fields"]
