"""Goals and milestones: the pair edits them, strangers see nothing, an ended mentorship is
read-only, and a milestone ticked in a session remembers that session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models.base import utcnow
from tests.conftest import JSON, Client, MakeClient, signup
from tests.test_bookings_api import active_mentee, open_mentor


async def pair(client: Client, make_client: MakeClient) -> tuple[Client, int]:
    """The mentor (`client`) and an active mentee; returns the mentee's client and the id."""
    mentor = await open_mentor(client)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    found = await (await client.get("/api/v1/mentorships")).json()
    return mentee_client, int(found["mentorships"][0]["id"])


async def add_goal(who: Client, mentorship_id: int, **extra: Any) -> dict[str, Any]:
    body = {
        "title": "Lead a team",
        "why": "Next promotion",
        "milestones": [{"title": "Run a retro"}, {"title": "Write a plan"}],
        **extra,
    }
    response = await who.post(f"/api/v1/mentorships/{mentorship_id}/goals", json=body)
    assert response.status == 201, await response.text()
    goal: dict[str, Any] = (await response.json())["goal"]
    return goal


async def test_both_sides_edit_and_a_stranger_sees_nothing(
    client: Client, make_client: MakeClient
) -> None:
    mentee, mentorship_id = await pair(client, make_client)
    goal = await add_goal(mentee, mentorship_id)
    assert goal["milestones_total"] == 2 and goal["milestones_done"] == 0
    renamed = await client.patch(f"/api/v1/goals/{goal['id']}", json={"status": "achieved"})
    assert (await renamed.json())["goal"]["status"] == "achieved"
    listed = await (await mentee.get(f"/api/v1/mentorships/{mentorship_id}/goals")).json()
    assert [g["status"] for g in listed["goals"]] == ["achieved"]

    stranger = await make_client()
    await signup(stranger, "stranger@example.org", roles=["mentor", "mentee"])
    milestone_id = goal["milestones"][0]["id"]
    for method, path, body in [
        ("GET", f"/api/v1/mentorships/{mentorship_id}/goals", None),
        ("POST", f"/api/v1/mentorships/{mentorship_id}/goals", {"title": "Spam"}),
        ("PATCH", f"/api/v1/goals/{goal['id']}", {"title": "Mine now"}),
        ("DELETE", f"/api/v1/goals/{goal['id']}", None),
        ("POST", f"/api/v1/goals/{goal['id']}/milestones", {"title": "Spam"}),
        ("PATCH", f"/api/v1/milestones/{milestone_id}", {"done": True}),
        ("GET", f"/api/v1/mentorships/{mentorship_id}/progress", None),
        ("POST", f"/api/v1/mentorships/{mentorship_id}/end", {"reason": "Mine"}),
    ]:
        response = await stranger.request(method, path, json=body, headers=JSON)
        assert response.status == 404, (method, path, response.status)
        assert "Lead a team" not in await response.text()
    listed = await (await mentee.get(f"/api/v1/mentorships/{mentorship_id}/goals")).json()
    assert listed["goals"][0]["title"] == "Lead a team"
    assert not listed["goals"][0]["milestones"][0]["done"]


async def test_a_milestone_ticked_in_a_session_is_recorded_against_it(
    client: Client, make_client: MakeClient
) -> None:
    mentee, mentorship_id = await pair(client, make_client)
    goal = await add_goal(mentee, mentorship_id)
    made = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Weekly",
            "starts_at": (utcnow() - timedelta(minutes=5)).isoformat(),
            "duration_minutes": 60,
            "mentorship_id": mentorship_id,
        },
    )
    assert made.status == 201, await made.text()
    session_id = (await made.json())["session"]["id"]
    first, second = goal["milestones"]
    ticked = await mentee.patch(f"/api/v1/milestones/{first['id']}", json={"done": True})
    assert (await ticked.json())["milestone"]["done_in_session_id"] == session_id
    named = await mentee.patch(
        f"/api/v1/milestones/{second['id']}", json={"done": True, "session_id": session_id + 99}
    )
    assert named.status == 422
    untick = await mentee.patch(f"/api/v1/milestones/{first['id']}", json={"done": False})
    assert (await untick.json())["milestone"]["done_in_session_id"] is None

    item = await client.post(
        f"/api/v1/sessions/{session_id}/agenda", json={"title": "Retro", "goal_id": goal["id"]}
    )
    assert item.status == 201, await item.text()
    assert (await item.json())["item"]["goal_id"] == goal["id"]
    proposed = await add_goal(
        mentee, mentorship_id, title=None, agenda_item_id=(await item.json())["item"]["id"]
    )
    assert proposed["title"] == "Retro"


async def test_an_ended_mentorship_is_read_only_and_the_other_side_is_told(
    client: Client, make_client: MakeClient
) -> None:
    mentee, mentorship_id = await pair(client, make_client)
    goal = await add_goal(mentee, mentorship_id)
    assert (await mentee.post(f"/api/v1/mentorships/{mentorship_id}/end", json={})).status == 422
    ended = await mentee.post(
        f"/api/v1/mentorships/{mentorship_id}/end", json={"reason": "Moving abroad"}
    )
    assert ended.status == 200, await ended.text()
    assert (await ended.json())["mentorship"]["status"] == "ended"
    notices = await (await client.get("/api/v1/notifications")).json()
    assert any(
        n["kind"] == "mentorship_ended" and "Moving abroad" in n["body"]
        for n in notices["notifications"]
    )
    changed = await client.patch(f"/api/v1/goals/{goal['id']}", json={"title": "x"})
    assert changed.status == 409
    assert (await changed.json())["error"]["code"] == "mentorship_ended"
    listed = await (await client.get(f"/api/v1/mentorships/{mentorship_id}/goals")).json()
    assert listed["read_only"] and listed["goals"][0]["title"] == "Lead a team"
    again = await client.post(f"/api/v1/mentorships/{mentorship_id}/end", json={"reason": "x"})
    assert again.status == 409
