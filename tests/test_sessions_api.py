"""Scheduling sessions; only participants see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import JSON, Client, MakeClient, signup


async def _pair(
    client: Client, make_client: MakeClient
) -> tuple[dict[str, Any], dict[str, Any], Client, int]:
    mentor = await signup(client, "host@example.org", roles=["mentor"])
    mentee_client = await make_client()
    mentee = await signup(mentee_client, "guest@example.org", roles=["mentee"])
    asked = await mentee_client.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    await client.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    return mentor, mentee, mentee_client, mentorship_id


async def test_create_and_list_sessions_in_utc(client: Client, make_client: MakeClient) -> None:
    mentor, mentee, mentee_client, mentorship_id = await _pair(client, make_client)
    created = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Career chat",
            "starts_at": "2030-03-01T10:00:00+09:00",
            "duration_minutes": 45,
            "kind": "one_on_one",
            "mentorship_id": mentorship_id,
        },
    )
    assert created.status == 201, await created.text()
    session = (await created.json())["session"]
    assert session["starts_at"] == "2030-03-01T01:00:00+00:00"
    assert session["participant_ids"] == sorted([mentor["id"], mentee["id"]])
    assert session["host_id"] == mentor["id"]
    assert session["url"] == f"/sessions/{session['id']}"
    assert session["room_url"] == f"/sessions/{session['id']}/room"

    later = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Follow-up",
            "starts_at": "2030-03-08T10:00:00Z",
            "duration_minutes": 30,
            "participant_ids": [mentee["id"]],
        },
    )
    assert later.status == 201
    listed = await (await mentee_client.get("/api/v1/sessions")).json()
    assert [s["title"] for s in listed["sessions"]] == ["Career chat", "Follow-up"]
    one = await mentee_client.get(f"/api/v1/sessions/{session['id']}")
    assert (await one.json())["session"]["title"] == "Career chat"


async def test_someone_elses_session_is_not_found(client: Client, make_client: MakeClient) -> None:
    _, mentee, _, _ = await _pair(client, make_client)
    created = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Private",
            "starts_at": "2030-01-01T09:00:00Z",
            "duration_minutes": 30,
            "participant_ids": [mentee["id"]],
        },
    )
    session_id = (await created.json())["session"]["id"]
    outsider = await make_client()
    await signup(outsider, "nosy@example.org")
    response = await outsider.get(f"/api/v1/sessions/{session_id}")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"
    page = await outsider.get(f"/sessions/{session_id}")
    assert page.status == 404
    assert "Private" not in await page.text()


async def test_session_validation(client: Client, make_client: MakeClient) -> None:
    _, mentee, _, _ = await _pair(client, make_client)
    base = {
        "title": "T",
        "starts_at": "2030-01-01T09:00:00Z",
        "duration_minutes": 30,
        "participant_ids": [mentee["id"]],
    }
    cases = [
        ({**base, "starts_at": "2030-01-01T09:00:00"}, "starts_at"),  # no offset: ambiguous
        ({**base, "starts_at": "next tuesday"}, "starts_at"),
        ({**base, "duration_minutes": 0}, "duration_minutes"),
        ({**base, "kind": "party"}, "kind"),
        ({**base, "participant_ids": [987654]}, "participant_ids"),
        ({**base, "title": ""}, "title"),
        # Already over (a mistyped year, say): refused rather than booked as "ended".
        ({**base, "starts_at": "2020-01-01T09:00:00Z"}, "starts_at"),
    ]
    for body, field in cases:
        response = await client.post("/api/v1/sessions", json=body)
        assert response.status == 422, (body, await response.text())
        assert field in (await response.json())["error"]["fields"]


async def test_session_page_shows_join_only_in_the_window(
    client: Client, make_client: MakeClient
) -> None:
    _, mentee, mentee_client, _ = await _pair(client, make_client)
    await client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"})
    soon = datetime.now(UTC) + timedelta(minutes=3)
    later = datetime.now(UTC) + timedelta(days=2)
    ids = []
    for start in (soon, later):
        created = await client.post(
            "/api/v1/sessions",
            json={
                "title": "Call",
                "starts_at": start.isoformat(),
                "duration_minutes": 30,
                "participant_ids": [mentee["id"]],
            },
        )
        ids.append((await created.json())["session"]["id"])
    now_page = await (await client.get(f"/sessions/{ids[0]}")).text()
    assert "Join the call" in now_page
    later_page = await (await client.get(f"/sessions/{ids[1]}")).text()
    assert "Join the call" not in later_page
    assert "You can join from" in later_page
    # Times are shown in the viewer's own time zone.
    assert "JST" in later_page
