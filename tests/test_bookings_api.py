"""Booking a mentor's free slot through the API: consent, no double booking, changes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import JSON, Client, MakeClient, signup

EVERY_DAY = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
AVAILABILITY = {
    "timezone": "Europe/Berlin",
    "weekly": EVERY_DAY,
    "session_minutes": [30, 60],
    "buffer_minutes": 0,
    "min_notice_hours": 2,
    "horizon_days": 30,
    "weekly_booking_cap": 0,
    "cancellation_notice_hours": 24,
}


async def open_mentor(client: Client, **changes: Any) -> dict[str, Any]:
    """A mentor with room for many mentees and the availability above (plus `changes`)."""
    mentor = await signup(client, "mentor@example.org", roles=["mentor"], name="Mona Mentor")
    await client.patch("/api/v1/me", json={"mentor_capacity": 50, "timezone": "Europe/Berlin"})
    response = await client.put("/api/v1/me/availability", json={**AVAILABILITY, **changes})
    assert response.status == 200, await response.text()
    return mentor


async def active_mentee(
    mentor_client: Client, make_client: MakeClient, mentor_id: int, n: int = 0
) -> tuple[Client, dict[str, Any]]:
    """A mentee whose request the mentor accepted."""
    mentee_client = await make_client()
    mentee = await signup(mentee_client, f"mentee{n}@example.org", name=f"Mentee {n}")
    asked = await mentee_client.post("/api/v1/mentorships", json={"mentor_id": mentor_id})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    accepted = await mentor_client.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    assert accepted.status == 200, await accepted.text()
    return mentee_client, mentee


async def slots_of(who: Client, mentor_id: int, **query: str) -> list[dict[str, str]]:
    response = await who.get(f"/api/v1/mentors/{mentor_id}/slots", params=query)
    assert response.status == 200, await response.text()
    slots: list[dict[str, str]] = (await response.json())["slots"]
    return slots


async def book(who: Client, mentor_id: int, starts_at: str, minutes: int = 30) -> Any:
    return await who.post(
        "/api/v1/bookings",
        json={"mentor_id": mentor_id, "starts_at": starts_at, "duration_minutes": minutes},
    )


async def test_mentee_books_a_free_slot_and_it_is_gone(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client)
    mentee_client, mentee = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"], duration="60")
    assert slots and slots[0]["starts_at"].endswith("+00:00")
    first = datetime.fromisoformat(slots[0]["starts_at"])
    assert first >= datetime.fromisoformat(slots[0]["starts_at"]) and (
        datetime.fromisoformat(slots[0]["ends_at"]) - first == timedelta(hours=1)
    )
    response = await mentee_client.post(
        "/api/v1/bookings",
        json={
            "mentor_id": mentor["id"],
            "starts_at": slots[0]["starts_at"],
            "duration_minutes": 60,
            "agenda": "Career plan",
        },
    )
    assert response.status == 201, await response.text()
    session = (await response.json())["session"]
    assert session["participant_ids"] == sorted([mentor["id"], mentee["id"]])
    assert session["host_id"] == mentor["id"] and session["status"] == "scheduled"
    agenda = await (await client.get(f"/api/v1/sessions/{session['id']}/agenda")).json()
    assert [item["title"] for item in agenda["items"]] == ["Career plan"]

    after = await slots_of(mentee_client, mentor["id"], duration="30")
    assert slots[0]["starts_at"] not in {s["starts_at"] for s in after}
    again = await book(mentee_client, mentor["id"], slots[0]["starts_at"])
    assert again.status == 409
    error = (await again.json())["error"]
    assert error["code"] == "slot_taken"
    assert error["next_slots"] and slots[0]["starts_at"] not in {
        s["starts_at"] for s in error["next_slots"]
    }


async def test_only_an_active_mentee_may_see_slots_or_book(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client)
    stranger = await make_client()
    await signup(stranger, "stranger@example.org")
    slots_answer = await stranger.get(f"/api/v1/mentors/{mentor['id']}/slots")
    assert slots_answer.status == 403
    assert (await slots_answer.json())["error"]["code"] == "no_active_mentorship"
    tomorrow = (datetime.now().astimezone() + timedelta(days=2)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    booked = await book(stranger, mentor["id"], tomorrow.isoformat())
    assert booked.status == 403
    # A mentee may not set bookable availability; bad input is a 422 naming the field.
    refused = await stranger.put("/api/v1/me/availability", json=AVAILABILITY)
    assert refused.status == 403
    bad = await client.put(
        "/api/v1/me/availability", json={**AVAILABILITY, "timezone": "Mars/Olympus"}
    )
    assert bad.status == 422 and "timezone" in (await bad.json())["error"]["fields"]
    bad_clock = await client.put(
        "/api/v1/me/availability",
        json={**AVAILABILITY, "weekly": [{"weekday": 1, "start": "25:00", "end": "20:00"}]},
    )
    assert bad_clock.status == 422


async def test_time_off_the_grid_is_refused(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slot = datetime.fromisoformat((await slots_of(mentee_client, mentor["id"]))[0]["starts_at"])
    off = await book(mentee_client, mentor["id"], (slot + timedelta(minutes=7)).isoformat())
    assert off.status == 422
    assert (await off.json())["error"]["code"] == "slot_not_offered"
    wrong_length = await book(mentee_client, mentor["id"], slot.isoformat(), minutes=45)
    assert wrong_length.status == 422


async def test_twenty_parallel_bookings_of_one_slot_give_one_session(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client)
    mentees = [await active_mentee(client, make_client, mentor["id"], n) for n in range(20)]
    slot = (await slots_of(mentees[0][0], mentor["id"]))[3]["starts_at"]
    answers = await asyncio.gather(*(book(c, mentor["id"], slot) for c, _ in mentees))
    statuses = sorted(a.status for a in answers)
    assert statuses == [201] + [409] * 19, statuses
    sessions = await (await client.get("/api/v1/sessions")).json()
    assert [s["starts_at"] for s in sessions["sessions"]] == [slot]


async def test_existing_sessions_block_both_people(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client)
    mentee_client, mentee = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"])
    # The mentee has a session with somebody else at the first slot's time.
    other = await make_client()
    await signup(other, "other@example.org", roles=["mentor"])
    made = await other.post(
        "/api/v1/sessions",
        json={
            "title": "Another call",
            "starts_at": slots[0]["starts_at"],
            "duration_minutes": 30,
            "participant_ids": [mentee["id"]],
        },
    )
    assert made.status == 201
    after = {s["starts_at"] for s in await slots_of(mentee_client, mentor["id"])}
    assert slots[0]["starts_at"] not in after and slots[1]["starts_at"] in after
    taken = await book(mentee_client, mentor["id"], slots[0]["starts_at"])
    assert taken.status == 409


async def test_weekly_cap(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client, weekly_booking_cap=1)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"])
    assert (await book(mentee_client, mentor["id"], slots[0]["starts_at"])).status == 201
    second = await book(mentee_client, mentor["id"], slots[1]["starts_at"])
    assert second.status == 409
    assert (await second.json())["error"]["code"] == "weekly_cap_reached"


async def test_reschedule_and_cancel(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client, min_notice_hours=30)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"])
    session = (await (await book(mentee_client, mentor["id"], slots[0]["starts_at"])).json())[
        "session"
    ]
    moved = await mentee_client.post(
        f"/api/v1/sessions/{session['id']}/reschedule",
        json={"starts_at": slots[2]["starts_at"], "reason": "Train delayed"},
    )
    assert moved.status == 200, await moved.text()
    assert (await moved.json())["session"]["starts_at"] == slots[2]["starts_at"]
    free = {s["starts_at"] for s in await slots_of(mentee_client, mentor["id"])}
    assert slots[0]["starts_at"] in free and slots[2]["starts_at"] not in free

    stranger = await make_client()
    await signup(stranger, "stranger@example.org")
    nosy = await stranger.post(f"/api/v1/sessions/{session['id']}/cancel", json={"reason": "x"})
    assert nosy.status == 404
    cancelled = await mentee_client.post(
        f"/api/v1/sessions/{session['id']}/cancel", json={"reason": "Ill"}
    )
    assert cancelled.status == 200
    body = (await cancelled.json())["session"]
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Ill"
    free = {s["starts_at"] for s in await slots_of(mentee_client, mentor["id"])}
    assert slots[2]["starts_at"] in free
    twice = await mentee_client.post(f"/api/v1/sessions/{session['id']}/cancel", json={})
    assert twice.status == 409
    listed = await (await mentee_client.get("/api/v1/sessions")).json()
    assert listed["sessions"] == []


async def test_mentee_cannot_cancel_inside_the_notice(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client, cancellation_notice_hours=48)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slot = (await slots_of(mentee_client, mentor["id"]))[0]["starts_at"]  # within 48 hours
    session = (await (await book(mentee_client, mentor["id"], slot)).json())["session"]
    late = await mentee_client.post(f"/api/v1/sessions/{session['id']}/cancel", json={})
    assert late.status == 409
    assert (await late.json())["error"]["code"] == "too_late"
    by_mentor = await client.post(f"/api/v1/sessions/{session['id']}/cancel", json={})
    assert by_mentor.status == 200


async def test_book_and_cancel_loops_are_limited(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client, cancellation_notice_hours=0)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slot = (await slots_of(mentee_client, mentor["id"]))[0]["starts_at"]
    for _ in range(10):
        booked = await book(mentee_client, mentor["id"], slot)
        assert booked.status == 201
        session_id = (await booked.json())["session"]["id"]
        await mentee_client.post(f"/api/v1/sessions/{session_id}/cancel", json={})
    refused = await book(mentee_client, mentor["id"], slot)
    assert refused.status == 429 and refused.headers["Retry-After"] == "3600"
    assert (await refused.json())["error"]["code"] == "too_many_bookings"


async def test_weekly_cap_holds_under_parallel_requests(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client, weekly_booking_cap=1)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slots = (await slots_of(mentee_client, mentor["id"]))[:6]
    answers = await asyncio.gather(
        *(book(mentee_client, mentor["id"], s["starts_at"]) for s in slots)
    )
    berlin = ZoneInfo("Europe/Berlin")
    weeks = {
        datetime.fromisoformat(s["starts_at"]).astimezone(berlin).isocalendar()[:2] for s in slots
    }
    assert sum(a.status == 201 for a in answers) == len(weeks)
    refused = [await a.json() for a in answers if a.status != 201]
    assert {r["error"]["code"] for r in refused} == {"weekly_cap_reached"}


async def test_moving_a_session_within_its_week_is_not_held_against_the_cap(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client, weekly_booking_cap=1, min_notice_hours=30)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"])
    booked = await book(mentee_client, mentor["id"], slots[0]["starts_at"])
    session_id = (await booked.json())["session"]["id"]
    moved = await mentee_client.post(
        f"/api/v1/sessions/{session_id}/reschedule", json={"starts_at": slots[1]["starts_at"]}
    )
    assert moved.status == 200, await moved.text()
