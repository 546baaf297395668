"""Finding a mentor, answering the request and scheduling a session, all through the pages."""

from __future__ import annotations

import re

from tests.conftest import Client, MakeClient, signup

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _token(client: Client, path: str) -> str:
    match = TOKEN.search(await (await client.get(path)).text())
    assert match
    return match.group(1)


async def test_mentee_asks_mentor_accepts_and_schedules_in_local_time(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await signup(client, "mia@example.org", roles=["mentor"], name="Mia Mentor")
    await client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo", "headline": "Go expert"})
    mentee_client = await make_client()
    await signup(mentee_client, "ned@example.org", roles=["mentee"], name="Ned")

    directory = await (await mentee_client.get("/mentors")).text()
    assert "Mia Mentor" in directory and "Go expert" in directory
    token = await _token(mentee_client, f"/users/{mentor['id']}")
    asked = await mentee_client.post(
        f"/users/{mentor['id']}/mentorship",
        data={"csrf_token": token, "message": "Help me <grow>"},
        allow_redirects=False,
    )
    assert asked.status == 303

    dashboard = await (await client.get("/dashboard")).text()
    assert "Help me &lt;grow&gt;" in dashboard
    mentorship_id = re.search(r'action="/mentorships/(\d+)/decision"', dashboard)
    assert mentorship_id
    token = await _token(client, "/dashboard")
    decided = await client.post(
        f"/mentorships/{mentorship_id.group(1)}/decision",
        data={"csrf_token": token, "decision": "accept"},
        allow_redirects=False,
    )
    assert decided.status == 303
    dashboard = await (await client.get("/dashboard")).text()
    assert "Schedule a session" in dashboard

    scheduled = await client.post(
        "/sessions/new",
        data={
            "csrf_token": token,
            "mentorship_id": mentorship_id.group(1),
            "title": "First call",
            "starts_at": "2031-05-01T09:30",
            "duration_minutes": "45",
        },
        allow_redirects=False,
    )
    assert scheduled.status == 303, await scheduled.text()
    sessions = (await (await mentee_client.get("/api/v1/sessions")).json())["sessions"]
    # 09:30 in Tokyo is 00:30 UTC.
    assert [(s["title"], s["starts_at"]) for s in sessions] == [
        ("First call", "2031-05-01T00:30:00+00:00")
    ]


async def test_scheduling_with_a_bad_date_explains_itself(client: Client) -> None:
    await signup(client, "ola@example.org", roles=["mentor"])
    token = await _token(client, "/dashboard")
    response = await client.post(
        "/sessions/new",
        data={"csrf_token": token, "title": "x", "starts_at": "soon", "duration_minutes": "45"},
    )
    assert response.status == 422
    assert "Pick a date and time." in await response.text()
