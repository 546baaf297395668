"""Office hours: weekly series in the host's time zone, registration and capacity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from server import keys
from tests.conftest import JSON, Client, MakeClient, signup


async def test_weekly_series_keeps_local_time_across_dst(client: Client) -> None:
    await signup(client, "oh@example.org", roles=["mentor"])
    await client.patch("/api/v1/me", json={"timezone": "Europe/Berlin"})
    created = await client.post(
        "/api/v1/office-hours",
        json={
            "title": "Career Q&A",
            "topic": "Ask me anything",
            "starts_at": "2030-03-20T18:00:00+01:00",
            "duration_minutes": 60,
            "capacity": 10,
            "admission": "lobby",
            "recurrence": {"weekly_until": "2030-04-10"},
        },
    )
    assert created.status == 201, await created.text()
    series = (await created.json())["office_hours"]
    assert series["admission"] == "lobby"
    starts = [s["starts_at"] for s in series["sessions"]]
    # 18:00 in Berlin: 17:00 UTC in winter time, 16:00 UTC after the switch on 31 March.
    assert starts == [
        "2030-03-20T17:00:00+00:00",
        "2030-03-27T17:00:00+00:00",
        "2030-04-03T16:00:00+00:00",
        "2030-04-10T16:00:00+00:00",
    ]
    assert len(series["session_ids"]) == 4
    session = await client.get(f"/api/v1/sessions/{series['session_ids'][0]}")
    assert (await session.json())["session"]["kind"] == "office_hours"


async def test_register_capacity_and_access(client: Client, make_client: MakeClient) -> None:
    await signup(client, "host@example.org", roles=["mentor"])
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    created = await client.post(
        "/api/v1/office-hours",
        json={
            "title": "Small group",
            "starts_at": start.isoformat(),
            "duration_minutes": 30,
            "capacity": 1,
        },
    )
    series = (await created.json())["office_hours"]
    first = await make_client()
    await signup(first, "a1@example.org")
    second = await make_client()
    await signup(second, "a2@example.org")

    listed = (await (await first.get("/api/v1/office-hours")).json())["office_hours"]
    assert [(s["title"], s["places_left"], s["is_registered"]) for s in listed] == [
        ("Small group", 1, False)
    ]
    session_id = series["session_ids"][0]
    assert (await first.get(f"/api/v1/sessions/{session_id}")).status == 404

    ok = await first.post(f"/api/v1/office-hours/{series['id']}/register", headers=JSON)
    assert ok.status == 200
    assert (await ok.json())["office_hours"]["is_registered"] is True
    assert (await first.get(f"/api/v1/sessions/{session_id}")).status == 200

    full = await second.post(f"/api/v1/office-hours/{series['id']}/register", headers=JSON)
    assert full.status == 409
    assert "full" in (await full.json())["error"]["message"]

    left = await first.delete(f"/api/v1/office-hours/{series['id']}/register", headers=JSON)
    assert left.status == 204
    assert (await first.get(f"/api/v1/sessions/{session_id}")).status == 404
    assert (
        await second.post(f"/api/v1/office-hours/{series['id']}/register", headers=JSON)
    ).status == 200


async def test_only_mentors_create_and_input_is_checked(client: Client) -> None:
    await signup(client, "mentee@example.org", roles=["mentee"])
    body = {
        "title": "X",
        "starts_at": "2030-01-01T10:00:00Z",
        "duration_minutes": 30,
        "capacity": 5,
    }
    assert (await client.post("/api/v1/office-hours", json=body)).status == 403
    bad = await client.post(
        "/api/v1/office-hours", json={**body, "capacity": 0, "admission": "maybe"}
    )
    assert bad.status == 422
    assert {"capacity", "admission"} <= set((await bad.json())["error"]["fields"])
    assert (await client.post("/api/v1/office-hours/999/register", headers=JSON)).status == 404


async def test_office_hours_pages(client: Client, make_client: MakeClient) -> None:
    import re

    await signup(client, "ohp@example.org", roles=["mentor"], name="Host Hanna")
    page = await (await client.get("/office-hours")).text()
    assert "No office hours are coming up" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    created = await client.post(
        "/office-hours",
        data={
            "csrf_token": token.group(1),
            "title": "Open <Q&A>",
            "starts_at": "2031-02-01T18:00",
            "duration_minutes": "60",
            "capacity": "5",
            "admission": "open",
            "weekly_until": "2031-02-15",
        },
        allow_redirects=False,
    )
    assert created.status == 303, await created.text()
    mentee = await make_client()
    await signup(mentee, "ohm@example.org")
    listing = await (await mentee.get("/office-hours")).text()
    assert "Open &lt;Q&amp;A&gt;" in listing and "Host Hanna" in listing
    assert "5 of 5 places left" in listing
    series_id = re.search(r'action="/office-hours/(\d+)/registration"', listing)
    token = re.search(r'name="csrf_token" value="([^"]+)"', listing)
    assert series_id and token
    done = await mentee.post(
        f"/office-hours/{series_id.group(1)}/registration",
        data={"csrf_token": token.group(1), "action": "register"},
        allow_redirects=False,
    )
    assert done.status == 303
    listing = await (await mentee.get("/office-hours")).text()
    assert "Cancel registration" in listing and "4 of 5 places left" in listing


async def test_listing_takes_the_same_queries_for_one_series_or_many(client: Client) -> None:
    """The list loads occurrences, counts, hosts and my registrations once, not per series."""
    await signup(client, "busy@example.org", roles=["mentor"])
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    engine = client.app[keys.ENGINE].sync_engine
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    async def queries_to_list() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            listed = await client.get("/api/v1/office-hours")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert listed.status == 200
        return len(statements)

    async def create(title: str) -> None:
        body = {"title": title, "starts_at": start.isoformat(), "duration_minutes": 30}
        created = await client.post("/api/v1/office-hours", json={**body, "capacity": 5})
        assert created.status == 201

    await create("One")
    with_one = await queries_to_list()
    for title in ("Two", "Three", "Four"):
        await create(title)
    assert await queries_to_list() == with_one
