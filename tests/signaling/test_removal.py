"""Removal means removal: an attendee the host removed is out of everything of that occurrence."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import WSMsgType

from server import keys
from signaling.office_hours.close_codes import OfficeHoursCloseCode
from tests.conftest import JSON, Client, MakeClient
from tests.signaling.conftest import receive
from tests.signaling.test_office_hours_room import open_room
from tests.signaling.test_office_hours_room import people as people  # the fixture


async def _in_berlin(browser: Client) -> None:
    located = await browser.patch(
        "/api/v1/me",
        json={"city": "Berlin", "country": "DE", "open_to_meetups": True, "max_travel_km": 100},
    )
    assert located.status == 200, await located.text()


async def _group_members(browser: Client) -> set[int]:
    body = await (await browser.get("/api/v1/meetups/suggestions")).json()
    return {uid for s in body["suggestions"] if s["kind"] == "group" for uid in s["with"]}


async def test_a_removed_attendee_loses_the_occurrence_everywhere(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    """[C3] After removal: no ticket, call, notes, agenda, dashboard entry or group with them."""
    cast, host, (removed, _, _) = await open_room(client, make_client, people, attendees=3)
    gone_id = cast.attendee_ids[0]
    browser = cast.attendees[0]
    for each in (cast.host, *cast.attendees):
        await _in_berlin(each)
    assert gone_id in await _group_members(cast.host)
    notes = await browser.ws_connect(f"/ws/sessions/{cast.session_id}/notes")
    await notes.send_json({"type": "join"})
    await receive(notes, "welcome")
    base = f"/api/v1/sessions/{cast.session_id}"
    assert (await browser.post(f"{base}/agenda", json={"title": "Before"})).status == 201

    await host.send({"type": "remove", "peer_id": removed.peer_id})
    await asyncio.wait_for(removed.closed.wait(), 5)
    assert removed.close_code == OfficeHoursCloseCode.REMOVED
    # The notes socket they had open closes too: no more edits through it.
    while (message := await asyncio.wait_for(notes.receive(), 5)).type == WSMsgType.TEXT:
        pass
    assert (message.type, message.data) == (WSMsgType.CLOSE, OfficeHoursCloseCode.REMOVED)

    await client.app[keys.ROOMS].drain()  # the removal is stored beside the room
    for path in (f"{base}/join", f"/ws/sessions/{cast.session_id}/notes"):
        refused = await browser.get(path)
        assert refused.status == 403, path
        assert (await refused.json())["error"]["code"] == "removed"
    room_page = await browser.get(f"/sessions/{cast.session_id}/room")
    assert room_page.status == 403 and "removed you" in await room_page.text()
    assert (await browser.post(f"{base}/agenda", json={"title": "After"})).status == 404
    assert (await browser.get(base)).status == 404
    listed = (await (await browser.get("/api/v1/sessions")).json())["sessions"]
    assert cast.session_id not in [s["id"] for s in listed]
    dashboard = await (await browser.get("/dashboard")).text()
    assert f"/sessions/{cast.session_id}/room" not in dashboard

    # Registering again does not bring the occurrence back.
    series = f"/api/v1/office-hours/{cast.series_id}/register"
    assert (await browser.delete(series, headers=JSON)).status == 204
    assert (await browser.post(series, headers=JSON)).status == 200
    assert (await browser.get(f"{base}/join")).status == 403

    assert gone_id not in await _group_members(cast.host)
    assert await _group_members(browser) == set()
