"""Calendars: a session's .ics and each user's private, revocable feed."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar

from tests.conftest import JSON, Client, MakeClient, signup
from tests.test_bookings_api import active_mentee, book, open_mentor, slots_of


def _events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


async def _feed(who: Client) -> tuple[str, bytes]:
    """The feed's path and its content, fetched without any cookie."""
    address = (await (await who.get("/api/v1/me/calendar-feed")).json())["feed"]
    assert address["webcal_url"].startswith("webcal://")
    path = "/" + address["url"].split("/", 3)[3]
    async with who.session.get(who.make_url(path), cookies=None) as response:
        assert response.status == 200, await response.text()
        assert response.content_type == "text/calendar"
        return path, await response.read()


async def test_feed_follows_reschedule_and_cancel(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client, min_notice_hours=30)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"])
    session = (await (await book(mentee_client, mentor["id"], slots[0]["starts_at"])).json())[
        "session"
    ]
    _, body = await _feed(mentee_client)
    assert b"@example.org" not in body  # nobody's e-mail address in a calendar file
    events = _events(body)
    (uid,) = events
    assert uid == f"session-{session['id']}@127.0.0.1"
    first = events[uid]
    assert first["sequence"] == 0 and str(first["status"]) == "CONFIRMED"
    assert str(first["url"]).endswith(f"/sessions/{session['id']}")
    assert first.decoded("dtstart").isoformat() == slots[0]["starts_at"]
    assert all(str(a).startswith("urn:uuid:") for a in first["attendee"])

    await mentee_client.post(
        f"/api/v1/sessions/{session['id']}/reschedule", json={"starts_at": slots[1]["starts_at"]}
    )
    moved = _events((await _feed(client))[1])[uid]  # the mentor's feed too
    assert moved["sequence"] == 1
    assert moved.decoded("dtstart").isoformat() == slots[1]["starts_at"]

    await client.post(f"/api/v1/sessions/{session['id']}/cancel", json={"reason": "Flu"})
    cancelled = _events((await _feed(mentee_client))[1])[uid]
    assert cancelled["sequence"] == 2 and str(cancelled["status"]) == "CANCELLED"
    assert "Flu" in str(cancelled["description"])


async def test_rotating_revokes_the_old_address(client: Client, make_client: MakeClient) -> None:
    await signup(client, "someone@example.org")
    old_path, _ = await _feed(client)
    rotated = await client.post("/api/v1/me/calendar-feed/rotate", headers=JSON)
    assert rotated.status == 200
    new_path, _ = await _feed(client)
    assert new_path != old_path
    stale = await (await make_client()).get(old_path)
    assert stale.status == 404
    forged = await (await make_client()).get(new_path.replace(".ics", "x.ics"))
    assert forged.status == 404
    other_user = new_path.replace("/calendar-feeds/1/", "/calendar-feeds/2/")
    assert (await (await make_client()).get(other_user)).status == 404


async def test_session_ics_for_participants_only(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slot = (await slots_of(mentee_client, mentor["id"]))[0]["starts_at"]
    session = (await (await book(mentee_client, mentor["id"], slot)).json())["session"]
    path = f"/api/v1/sessions/{session['id']}/calendar.ics"
    ics = await mentee_client.get(path)
    assert ics.status == 200
    body = await ics.read()
    assert b"METHOD:PUBLISH" in body and b"@example.org" not in body
    stranger = await make_client()
    await signup(stranger, "stranger@example.org")
    assert (await stranger.get(path)).status == 404
