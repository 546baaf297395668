"""The availability, booking, session and notifications pages, driven as a browser would."""

from __future__ import annotations

import re

from tests.conftest import Client, MakeClient
from tests.test_bookings_api import active_mentee, open_mentor, slots_of


async def _csrf(who: Client, path: str) -> str:
    page = await who.get(path)
    assert page.status == 200, await page.text()
    found = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert found
    return found.group(1)


async def test_availability_form_round_trip(client: Client, make_client: MakeClient) -> None:
    await open_mentor(client)
    token = await _csrf(client, "/availability")
    form = [
        ("csrf_token", token),
        ("timezone", "America/New_York"),
        ("cell", "1-18"),
        ("cell", "1-19"),
        ("cell", "4-23"),
        ("session_minutes", "45"),
        ("buffer_minutes", "5"),
        ("min_notice_hours", "4"),
        ("horizon_days", "20"),
        ("weekly_booking_cap", "2"),
        ("cancellation_notice_hours", "12"),
        ("overrides", "2030-12-24 off\n2030-12-27 09:00-11:00"),
    ]
    saved = await client.post("/availability", data=form, allow_redirects=False)
    assert saved.status == 303
    stored = (await (await client.get("/api/v1/me/availability")).json())["availability"]
    assert stored["weekly"] == [
        {"weekday": 1, "start": "18:00", "end": "20:00"},
        {"weekday": 4, "start": "23:00", "end": "00:00"},
    ]
    assert stored["overrides"][1] == {
        "date": "2030-12-27",
        "windows": [{"start": "09:00", "end": "11:00"}],
    }
    assert stored["session_minutes"] == [45] and stored["weekly_booking_cap"] == 2
    page = await (await client.get("/availability")).text()
    assert re.search(r'value="1-18"[^>]*checked', page) and "2030-12-24 off" in page

    bad = await client.post(
        "/availability",
        data=[*form[:1], ("timezone", "Nowhere/Land"), ("overrides", "tomorrow")],
    )
    assert bad.status == 422
    assert "Cannot read" in await bad.text()
    forged = await client.post("/availability", data=form[1:])
    assert forged.status == 403

    mentee_client, _ = await active_mentee(client, make_client, 1, n=9)
    assert (await mentee_client.get("/availability")).status == 403


async def test_book_move_and_cancel_through_the_pages(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client, min_notice_hours=30)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"])
    book_path = f"/mentors/{mentor['id']}/book"
    page = await (await mentee_client.get(book_path)).text()
    assert "Mona Mentor" in page and slots[0]["starts_at"] in page
    token = await _csrf(mentee_client, book_path)
    booked = await mentee_client.post(
        book_path,
        data={
            "csrf_token": token,
            "starts_at": slots[0]["starts_at"],
            "duration_minutes": "30",
            "agenda": "<script>x</script>",
        },
        allow_redirects=False,
    )
    assert booked.status == 303
    session_path = booked.headers["Location"].split("?")[0]
    again = await mentee_client.post(
        book_path,
        data={"csrf_token": token, "starts_at": slots[0]["starts_at"], "duration_minutes": "30"},
    )
    assert again.status == 409 and "just took that time" in await again.text()

    session_page = await (await mentee_client.get(session_path)).text()
    assert "Add to calendar" in session_page and "calendar.google.com" in session_page
    move_path = f"{book_path}?reschedule={session_path.rsplit('/', 1)[1]}"
    assert "Move your session" in await (await mentee_client.get(move_path)).text()
    moved = await mentee_client.post(
        f"{session_path}/reschedule",
        data={"csrf_token": token, "starts_at": slots[1]["starts_at"], "reason": "Late"},
        allow_redirects=False,
    )
    assert moved.status == 303
    cancelled = await mentee_client.post(
        f"{session_path}/cancel", data={"csrf_token": token, "reason": "Ill"}
    )
    assert cancelled.status == 200
    assert "This session was cancelled: Ill." in await cancelled.text()

    notifications = await (await client.get("/notifications")).text()
    assert "Mentee 0 cancelled a session" in notifications
    old_feed = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', notifications)
    assert old_feed
    rotated = await client.post(
        "/notifications/calendar-feed/rotate",
        data={"csrf_token": await _csrf(client, "/notifications")},
    )
    assert "the old one no longer works" in await rotated.text()
    assert old_feed.group(1) not in await rotated.text()
    stranger = await make_client()
    await stranger.post(
        "/api/v1/auth/signup",
        json={
            "email": "s@example.org",
            "password": "correct horse battery",
            "name": "S",
            "roles": ["mentee"],
        },
    )
    refused = await stranger.get(book_path)
    assert refused.status == 403
    assert "active mentorship" in await refused.text()
