"""Check-ins after sessions: asked once, given once, and never traceable to their author."""

from __future__ import annotations

from datetime import timedelta

from models.base import utcnow
from server import keys
from server.services.reminders import Reminders
from tests.conftest import Client, MakeClient, signup
from tests.test_bookings_api import active_mentee, open_mentor
from tests.test_pages import TOKEN
from tests.test_progress import past_session


async def test_ratings_stay_hidden_at_two_and_show_as_an_average_at_three(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client)
    mentees = [await active_mentee(client, make_client, mentor["id"], n) for n in range(3)]
    mentorships = (await (await client.get("/api/v1/mentorships")).json())["mentorships"]
    by_mentee = {m["mentee_id"]: m["id"] for m in mentorships}
    sessions = [await past_session(client, by_mentee[who["id"]], 1) for _, who in mentees]
    record_path = f"/api/v1/mentors/{mentor['id']}/record"
    for n, ((mentee_client, _), session_id, rating) in enumerate(
        zip(mentees, sessions, [2, 5, 5], strict=True)
    ):
        given = await mentee_client.post(
            f"/api/v1/sessions/{session_id}/feedback",
            json={
                "rating": rating,
                "went_well": f"wentwell-marker-{n}",
                "private_note": f"privnote-marker-{n}",
            },
        )
        assert given.status == 201, await given.text()
        record = (await (await client.get(record_path)).json())["record"]
        if n < 2:
            assert record["rating"] is None, f"shown after {n + 1} ratings"
        else:
            assert record["rating"] == {"average": 4.0, "count": 3}
    assert record["sessions_held"] == 3 and record["mentees_helped"] == 3

    # Nothing the mentor can read names who gave what, or shows the words.
    reads = [record_path, f"/users/{mentor['id']}", "/api/v1/notifications", "/dashboard"]
    for session_id in sessions:
        reads += [
            f"/api/v1/sessions/{session_id}/feedback",
            f"/sessions/{session_id}",
        ]
    for mentorship_id in by_mentee.values():
        reads += [
            f"/api/v1/mentorships/{mentorship_id}/progress",
            f"/mentorships/{mentorship_id}/progress",
        ]
    for path in reads:
        text = await (await client.get(path)).text()
        assert "wentwell-marker" not in text and "privnote-marker" not in text, path
        assert "rated this session" not in text, path
    profile = await (await client.get(f"/users/{mentor['id']}")).text()
    assert "average rating 4.0 of 5" in profile
    own = await (await mentees[0][0].get(f"/api/v1/sessions/{sessions[0]}/feedback")).json()
    assert own["feedback"]["private_note"] == "privnote-marker-0"


async def test_a_check_in_is_asked_once_and_given_once_after_the_end(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client)
    mentee, _ = await active_mentee(client, make_client, mentor["id"])
    mentorship_id = (await (await client.get("/api/v1/mentorships")).json())["mentorships"][0]["id"]
    running = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Now",
            "starts_at": (utcnow() - timedelta(minutes=5)).isoformat(),
            "duration_minutes": 60,
            "mentorship_id": mentorship_id,
        },
    )
    running_id = (await running.json())["session"]["id"]
    early = await mentee.post(f"/api/v1/sessions/{running_id}/feedback", json={"rating": 4})
    assert early.status == 409 and (await early.json())["error"]["code"] == "session_not_over"

    ended = await past_session(client, mentorship_id, 0)
    reminders = Reminders(client.app[keys.DB], client.app[keys.NOTIFIER])
    await reminders.ask_for_check_ins(utcnow())
    await reminders.ask_for_check_ins(utcnow())
    for who in (client, mentee):
        notices = (await (await who.get("/api/v1/notifications")).json())["notifications"]
        asked = [n for n in notices if n["kind"] == "check_in"]
        assert [n["url"] for n in asked] == [f"/sessions/{ended}#check-in"]
    page = await (await mentee.get(f"/sessions/{ended}")).text()
    assert 'id="check-in"' in page and 'name="rating"' in page

    bad = await mentee.post(f"/api/v1/sessions/{ended}/feedback", json={"rating": 6})
    assert bad.status == 422
    token = TOKEN.search(page)
    assert token is not None
    form = {"csrf_token": token.group(1), "rating": "4", "went_well": "Clear next steps"}
    first = await mentee.post(f"/sessions/{ended}/feedback", data=form)
    assert first.status == 200
    assert "You rated this session 4 of 5." in await first.text()
    again = await mentee.post(f"/api/v1/sessions/{ended}/feedback", json={"rating": 1})
    assert again.status == 409
    stranger = await make_client()
    await signup(stranger, "stranger@example.org")
    refused = await stranger.post(f"/api/v1/sessions/{ended}/feedback", json={"rating": 1})
    assert refused.status == 404
