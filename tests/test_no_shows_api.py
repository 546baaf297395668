"""No-shows from room attendance: marked, seen by the mentor, corrected by the other side."""

from __future__ import annotations

from datetime import timedelta

from models.base import utcnow
from models.sessions import Attendance
from server import keys
from server.services.reminders import Reminders
from tests.conftest import JSON, Client, MakeClient, signup
from tests.test_bookings_api import active_mentee, open_mentor


async def test_mentee_who_never_came_is_counted_until_corrected(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client)
    mentee_client, mentee = await active_mentee(client, make_client, mentor["id"])
    mentorships = await (await client.get("/api/v1/mentorships")).json()
    started = utcnow() - timedelta(minutes=15)
    made = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Weekly",
            "starts_at": started.isoformat(),
            "duration_minutes": 60,
            "mentorship_id": mentorships["mentorships"][0]["id"],
        },
    )
    session_id = (await made.json())["session"]["id"]
    async with client.app[keys.DB]() as db:
        db.add(Attendance(session_id=session_id, user_id=mentor["id"], joined_at=started))
        await db.commit()
    await Reminders(client.app[keys.DB], client.app[keys.NOTIFIER]).mark_no_shows(utcnow())

    counts = await (await client.get("/api/v1/no-shows")).json()
    assert counts["counts"] == [{"user_id": mentee["id"], "name": "Mentee 0", "no_shows": 1}]
    assert (await mentee_client.get("/api/v1/no-shows")).status == 403
    marks = await (await mentee_client.get(f"/api/v1/sessions/{session_id}/no-shows")).json()
    assert marks["no_shows"] == [{"user_id": mentee["id"], "corrected": False}]
    path = f"/api/v1/sessions/{session_id}/no-shows/{mentee['id']}/correct"
    assert (await mentee_client.post(path, headers=JSON)).status == 403
    stranger = await make_client()
    await signup(stranger, "stranger@example.org", roles=["mentor"])
    assert (await stranger.post(path, headers=JSON)).status == 404
    page = await (await client.get("/availability")).text()
    assert "Mentee 0: 1 no-show" in page
    assert (await client.post(path, headers=JSON)).status == 200
    counts = await (await client.get("/api/v1/no-shows")).json()
    assert counts["counts"][0]["no_shows"] == 0
