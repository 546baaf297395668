"""Agendas and action items: ordering, templates, carry-over and participant-only access."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import JSON, Client, MakeClient, signup
from tests.signaling.conftest import receive


async def _mentorship_session(
    client: Client, make_client: MakeClient, starts_at: str = "2030-01-01T09:00:00Z"
) -> tuple[dict[str, Any], dict[str, Any], Client, int, int]:
    mentor = await signup(client, "am@example.org", roles=["mentor"])
    mentee_client = await make_client()
    mentee = await signup(mentee_client, "ae@example.org", roles=["mentee"])
    asked = await mentee_client.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    await client.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    session_id = await _session(client, mentorship_id, starts_at)
    return mentor, mentee, mentee_client, mentorship_id, session_id


async def _session(client: Client, mentorship_id: int, starts_at: str) -> int:
    created = await client.post(
        "/api/v1/sessions",
        json={
            "title": "S",
            "starts_at": starts_at,
            "duration_minutes": 30,
            "mentorship_id": mentorship_id,
        },
    )
    assert created.status == 201, await created.text()
    session_id: int = (await created.json())["session"]["id"]
    return session_id


async def _titles(client: Client, session_id: int) -> list[str]:
    items = (await (await client.get(f"/api/v1/sessions/{session_id}/agenda")).json())["items"]
    return [i["title"] for i in items]


async def test_add_reorder_tick_and_delete(client: Client, make_client: MakeClient) -> None:
    mentor, mentee, mentee_client, _, sid = await _mentorship_session(client, make_client)
    ids = []
    for title in ("Intro", "Goals", "Next steps"):
        response = await mentee_client.post(
            f"/api/v1/sessions/{sid}/agenda",
            json={"title": title, "minutes": 10, "owner_id": mentee["id"]},
        )
        assert response.status == 201
        item = (await response.json())["item"]
        assert item["done"] is False and item["carried_over"] is False
        ids.append(item["id"])
    moved = await client.patch(f"/api/v1/sessions/{sid}/agenda/{ids[2]}", json={"position": 0})
    assert moved.status == 200
    assert await _titles(mentee_client, sid) == ["Next steps", "Intro", "Goals"]
    ticked = await client.patch(f"/api/v1/sessions/{sid}/agenda/{ids[0]}", json={"done": True})
    assert (await ticked.json())["item"]["done"] is True
    assert (
        await client.delete(f"/api/v1/sessions/{sid}/agenda/{ids[1]}", headers=JSON)
    ).status == 204
    positions = [
        i["position"]
        for i in (await (await client.get(f"/api/v1/sessions/{sid}/agenda")).json())["items"]
    ]
    assert positions == [0, 1]
    bad = await client.post(f"/api/v1/sessions/{sid}/agenda", json={"title": "", "minutes": 0})
    assert bad.status == 422
    assert {"title", "minutes"} <= set((await bad.json())["error"]["fields"])
    stranger_owner = await client.post(
        f"/api/v1/sessions/{sid}/agenda", json={"title": "x", "owner_id": 999}
    )
    assert stranger_owner.status == 422


async def test_templates(client: Client, make_client: MakeClient) -> None:
    *_, sid = await _mentorship_session(client, make_client)
    response = await client.post(
        f"/api/v1/sessions/{sid}/agenda/template", json={"template": "first_meeting"}
    )
    assert response.status == 201
    titles = await _titles(client, sid)
    assert titles[0] == "Introductions and backgrounds" and len(titles) == 4
    unknown = await client.post(
        f"/api/v1/sessions/{sid}/agenda/template", json={"template": "party"}
    )
    assert unknown.status == 422


async def test_open_items_carry_over_to_the_next_session(
    client: Client, make_client: MakeClient
) -> None:
    _, _, mentee_client, mentorship_id, first = await _mentorship_session(client, make_client)
    done = await client.post(f"/api/v1/sessions/{first}/agenda", json={"title": "Done already"})
    await client.post(
        f"/api/v1/sessions/{first}/agenda", json={"title": "Still open", "details": "CV review"}
    )
    done_id = (await done.json())["item"]["id"]
    await client.patch(f"/api/v1/sessions/{first}/agenda/{done_id}", json={"done": True})
    second = await _session(client, mentorship_id, "2030-01-08T09:00:00Z")
    items = (await (await mentee_client.get(f"/api/v1/sessions/{second}/agenda")).json())["items"]
    assert [(i["title"], i["details"], i["carried_over"]) for i in items] == [
        ("Still open", "CV review", True)
    ]


async def test_action_items_reach_the_owners_list(client: Client, make_client: MakeClient) -> None:
    mentor, mentee, mentee_client, _, sid = await _mentorship_session(client, make_client)
    created = await client.post(
        f"/api/v1/sessions/{sid}/action-items",
        json={"title": "Update CV", "owner_id": mentee["id"], "due_on": "2030-01-05"},
    )
    assert created.status == 201
    item = (await created.json())["action_item"]
    mine = (await (await mentee_client.get("/api/v1/action-items")).json())["action_items"]
    assert [(i["title"], i["due_on"]) for i in mine] == [("Update CV", "2030-01-05")]
    assert (await (await client.get("/api/v1/action-items")).json())["action_items"] == []
    page = await (await mentee_client.get("/dashboard")).text()
    assert "Update CV" in page
    await mentee_client.patch(f"/api/v1/action-items/{item['id']}", json={"done": True})
    assert (await (await mentee_client.get("/api/v1/action-items")).json())["action_items"] == []


async def test_non_participants_get_404_everywhere(client: Client, make_client: MakeClient) -> None:
    *_, sid = await _mentorship_session(client, make_client)
    item = await client.post(f"/api/v1/sessions/{sid}/agenda", json={"title": "Private"})
    item_id = (await item.json())["item"]["id"]
    action = await client.post(
        f"/api/v1/sessions/{sid}/action-items",
        json={
            "title": "Secret",
            "owner_id": (await (await client.get("/api/v1/me")).json())["user"]["id"],
        },
    )
    action_id = (await action.json())["action_item"]["id"]
    outsider = await make_client()
    await signup(outsider, "out@example.org")
    attempts = [
        ("GET", f"/api/v1/sessions/{sid}/agenda", None),
        ("POST", f"/api/v1/sessions/{sid}/agenda", {"title": "x"}),
        ("PATCH", f"/api/v1/sessions/{sid}/agenda/{item_id}", {"done": True}),
        ("DELETE", f"/api/v1/sessions/{sid}/agenda/{item_id}", None),
        ("POST", f"/api/v1/sessions/{sid}/agenda/template", {"template": "goal_review"}),
        ("GET", f"/api/v1/sessions/{sid}/action-items", None),
        ("POST", f"/api/v1/sessions/{sid}/action-items", {"title": "x", "owner_id": 1}),
        ("PATCH", f"/api/v1/action-items/{action_id}", {"done": True}),
    ]
    for method, path, body in attempts:
        response = await outsider.request(method, path, json=body, headers=JSON)
        assert response.status == 404, (method, path)
    assert await _titles(client, sid) == ["Private"]


async def test_changes_are_sent_live_to_the_sessions_notes_sockets_only(
    client: Client, make_client: MakeClient
) -> None:
    mentor, mentee, mentee_client, mentorship_id, session_id = await _mentorship_session(
        client, make_client
    )
    other_session = await _session(client, mentorship_id, "2030-02-01T09:00:00Z")
    watching = await mentee_client.ws_connect(f"/ws/sessions/{session_id}/notes")
    elsewhere = await mentee_client.ws_connect(f"/ws/sessions/{other_session}/notes")
    for ws in (watching, elsewhere):
        await ws.send_json({"type": "join"})
        await receive(ws, "welcome")

    added = await client.post(f"/api/v1/sessions/{session_id}/agenda", json={"title": "Goals"})
    item_id = (await added.json())["item"]["id"]
    live = await receive(watching, "agenda")
    assert live["session_id"] == session_id
    assert [i["title"] for i in live["items"]] == ["Goals"]

    await client.patch(f"/api/v1/sessions/{session_id}/agenda/{item_id}", json={"done": True})
    assert (await receive(watching, "agenda"))["items"][0]["done"] is True

    made = await client.post(
        f"/api/v1/sessions/{session_id}/action-items",
        json={"title": "Send CV", "owner_id": mentee["id"]},
    )
    action_id = (await made.json())["action_item"]["id"]
    assert [a["title"] for a in (await receive(watching, "agenda"))["action_items"]] == ["Send CV"]
    await mentee_client.patch(f"/api/v1/action-items/{action_id}", json={"done": True})
    assert (await receive(watching, "agenda"))["action_items"][0]["done"] is True

    gone = await client.delete(f"/api/v1/sessions/{session_id}/agenda/{item_id}", headers=JSON)
    assert gone.status == 204
    assert (await receive(watching, "agenda"))["items"] == []
    # The other session's socket heard nothing of it (only its own welcome and pings).
    with pytest.raises(TimeoutError):
        await receive(elsewhere, "agenda", wait=0.3)
    await watching.close()
    await elsewhere.close()


async def test_an_action_item_can_be_given_only_to_a_participant(
    client: Client, make_client: MakeClient
) -> None:
    mentor, mentee, mentee_client, _, session_id = await _mentorship_session(client, make_client)
    stranger = await signup(await make_client(), "as@example.org", roles=["mentee"])
    made = await client.post(
        f"/api/v1/sessions/{session_id}/action-items",
        json={"title": "Send CV", "owner_id": mentor["id"]},
    )
    path = f"/api/v1/action-items/{(await made.json())['action_item']['id']}"
    refused = await client.patch(path, json={"owner_id": stranger["id"]})
    assert refused.status == 422
    assert "owner_id" in (await refused.json())["error"]["fields"]
    moved = await client.patch(path, json={"owner_id": mentee["id"], "due_on": "2030-01-09"})
    assert (await moved.json())["action_item"]["owner_id"] == mentee["id"]
