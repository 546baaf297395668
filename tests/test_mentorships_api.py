"""Mentees ask mentors; only the mentor answers, within their capacity."""

from __future__ import annotations

from tests.conftest import JSON, Client, MakeClient, signup


async def test_request_accept_and_list(client: Client, make_client: MakeClient) -> None:
    mentor = await signup(client, "mentor@example.org", roles=["mentor"])
    mentee_client = await make_client()
    mentee = await signup(mentee_client, "mentee@example.org", roles=["mentee"])
    asked = await mentee_client.post(
        "/api/v1/mentorships", json={"mentor_id": mentor["id"], "message": "Hi!"}
    )
    assert asked.status == 201
    mentorship = (await asked.json())["mentorship"]
    assert mentorship["status"] == "requested"
    assert (mentorship["mentor_id"], mentorship["mentee_id"]) == (mentor["id"], mentee["id"])

    twice = await mentee_client.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
    assert twice.status == 409

    by_mentee = await mentee_client.post(
        f"/api/v1/mentorships/{mentorship['id']}/accept", headers=JSON
    )
    assert by_mentee.status == 403
    accepted = await client.post(f"/api/v1/mentorships/{mentorship['id']}/accept", headers=JSON)
    assert accepted.status == 200
    assert (await accepted.json())["mentorship"]["status"] == "active"
    again = await client.post(f"/api/v1/mentorships/{mentorship['id']}/decline", headers=JSON)
    assert again.status == 409

    mine = await (await mentee_client.get("/api/v1/mentorships")).json()
    assert [m["id"] for m in mine["mentorships"]] == [mentorship["id"]]


async def test_outsiders_and_non_mentors(client: Client, make_client: MakeClient) -> None:
    mentor = await signup(client, "m2@example.org", roles=["mentor"])
    mentee_client = await make_client()
    await signup(mentee_client, "e2@example.org", roles=["mentee"])
    plain = await make_client()
    not_mentor = await signup(plain, "p2@example.org", roles=["mentee"])
    response = await mentee_client.post("/api/v1/mentorships", json={"mentor_id": not_mentor["id"]})
    assert response.status == 422
    asked = await mentee_client.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    # A stranger cannot even see that the request exists.
    stranger = await plain.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    assert stranger.status == 404
    # A mentor cannot ask for a mentor unless they are also a mentee.
    as_mentor = await client.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
    assert as_mentor.status == 403


async def test_capacity_is_enforced(client: Client, make_client: MakeClient) -> None:
    mentor = await signup(client, "cap@example.org", roles=["mentor"])
    await client.patch("/api/v1/me", json={"mentor_capacity": 1})
    ids = []
    for i in range(2):
        mentee = await make_client()
        await signup(mentee, f"cap{i}@example.org")
        asked = await mentee.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
        ids.append((await asked.json())["mentorship"]["id"])
    assert (await client.post(f"/api/v1/mentorships/{ids[0]}/accept", headers=JSON)).status == 200
    full = await client.post(f"/api/v1/mentorships/{ids[1]}/accept", headers=JSON)
    assert full.status == 409
    assert (await full.json())["error"]["code"] == "at_capacity"
