"""Writers racing each other: agenda order and capacities hold however requests interleave."""

from __future__ import annotations

import asyncio

from tests.conftest import JSON, Client, MakeClient, signup
from tests.test_agenda_api import _mentorship_session


async def test_concurrent_appends_keep_agenda_positions_a_permutation(
    client: Client, make_client: MakeClient
) -> None:
    _, _, mentee_client, _, sid = await _mentorship_session(client, make_client)

    async def append(browser: Client, n: int) -> int:
        response = await browser.post(f"/api/v1/sessions/{sid}/agenda", json={"title": f"#{n}"})
        return response.status

    statuses = await asyncio.gather(
        *(append(client if n % 2 else mentee_client, n) for n in range(40))
    )
    assert statuses == [201] * 40
    items = (await (await client.get(f"/api/v1/sessions/{sid}/agenda")).json())["items"]
    assert sorted(item["position"] for item in items) == list(range(40))


async def _mentees(make_client: MakeClient, count: int) -> list[Client]:
    browsers = [await make_client() for _ in range(count)]
    await asyncio.gather(
        *(signup(b, f"racer{n}@example.org", roles=["mentee"]) for n, b in enumerate(browsers))
    )
    return browsers


async def test_parallel_registrations_never_overfill_office_hours(
    client: Client, make_client: MakeClient
) -> None:
    await signup(client, "host@example.org", roles=["mentor"])
    created = await client.post(
        "/api/v1/office-hours",
        json={
            "title": "Open questions",
            "starts_at": "2030-01-01T09:00:00Z",
            "duration_minutes": 60,
            "capacity": 2,
        },
    )
    series_id = (await created.json())["office_hours"]["id"]
    mentees = await _mentees(make_client, 5)
    responses = await asyncio.gather(
        *(m.post(f"/api/v1/office-hours/{series_id}/register", headers=JSON) for m in mentees)
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200, 200, 409, 409, 409], statuses
    full = [await r.json() for r in responses if r.status == 409]
    assert {body["error"]["code"] for body in full} == {"full"}
    listed = (await (await client.get("/api/v1/office-hours")).json())["office_hours"]
    assert [series["registered"] for series in listed] == [2]


async def test_parallel_acceptances_never_exceed_mentor_capacity(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await signup(client, "busy-mentor@example.org", roles=["mentor"])
    await client.patch("/api/v1/me", json={"mentor_capacity": 1})
    requests = []
    for mentee in await _mentees(make_client, 6):
        asked = await mentee.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
        requests.append((await asked.json())["mentorship"]["id"])
    responses = await asyncio.gather(
        *(client.post(f"/api/v1/mentorships/{m}/accept", headers=JSON) for m in requests)
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] + [409] * 5, statuses
    mine = (await (await client.get("/api/v1/mentorships")).json())["mentorships"]
    assert [m["status"] for m in mine].count("active") == 1
