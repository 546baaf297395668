"""Hybrid meetups: one record with a session, attendance answers, check-in and no-shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar

from models.base import utcnow
from server import keys
from server.services.reminders import Reminders
from tests.conftest import JSON, Client, MakeClient, signup
from tests.test_meetups_api import _pair_up, _person

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _meetup(
    proposer: Client, invited: list[object], starts: datetime, mode: str = "hybrid"
) -> dict[str, Any]:
    response = await proposer.post(
        "/api/v1/meetups",
        json={
            "participant_ids": invited,
            "place": {"name": "Berlin", "country": "DE"},
            "starts_at": starts.isoformat(),
            "mode": mode,
        },
    )
    assert response.status == 201, await response.text()
    meetup: dict[str, Any] = (await response.json())["meetup"]
    return meetup


async def _rsvp(browser: Client, meetup_id: object, attendance: str) -> Any:
    return await browser.post(f"/api/v1/meetups/{meetup_id}/rsvp", json={"attendance": attendance})


async def test_accepted_meetup_is_a_session_with_agenda_notes_and_calendar(
    client: Client, make_client: MakeClient
) -> None:
    mentor, mentor_user = await _person(make_client, "h1@example.org", "mentor", "Berlin", "DE")
    mentee, mentee_user = await _person(make_client, "h2@example.org", "mentee", "Potsdam", "DE")
    await _pair_up(mentor, mentee, mentor_user["id"])
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    meetup = await _meetup(mentee, [mentor_user["id"]], starts, mode="in_person")
    assert meetup["session_id"] is None and meetup["mode"] == "in_person"
    accepted = await mentor.post(f"/api/v1/meetups/{meetup['id']}/accept", headers=JSON)
    body = (await accepted.json())["meetup"]
    session_id = body["session_id"]
    assert body["status"] == "accepted" and session_id is not None

    session = (await (await mentee.get(f"/api/v1/sessions/{session_id}")).json())["session"]
    assert session["kind"] == "in_person" and session["starts_at"] == starts.isoformat()
    listed = (await (await mentor.get("/api/v1/sessions")).json())["sessions"]
    assert [s["id"] for s in listed] == [session_id]

    added = await mentor.post(
        f"/api/v1/sessions/{session_id}/agenda", json={"title": "Coffee and CV review"}
    )
    assert added.status == 201, await added.text()
    promised = await mentee.post(
        f"/api/v1/sessions/{session_id}/action-items",
        json={"title": "Send the CV", "owner_id": mentee_user["id"]},
    )
    assert promised.status == 201, await promised.text()
    agenda = (await (await mentee.get(f"/api/v1/sessions/{session_id}/agenda")).json())["items"]
    assert [i["title"] for i in agenda] == ["Coffee and CV review"]
    notes = await mentee.get(f"/api/v1/sessions/{session_id}/notes")
    assert notes.status == 200
    export = await (await mentor.get(f"/api/v1/sessions/{session_id}/export.md")).text()
    assert "Coffee and CV review" in export and "Send the CV" in export

    feed = (await (await mentor.get("/api/v1/me/calendar-feed")).json())["feed"]["url"]
    ics = await client.get(feed[feed.index("/api/") :])
    events = list(Calendar.from_ical(await ics.read()).walk("VEVENT"))
    assert [str(e["uid"]).split("@")[0] for e in events] == [f"session-{session_id}"]

    outsider = await make_client()
    await signup(outsider, "h-nosy@example.org")
    assert (await outsider.get(f"/api/v1/sessions/{session_id}/agenda")).status == 404

    moved = await mentor.post(
        f"/api/v1/meetups/{meetup['id']}/reschedule",
        json={"starts_at": (starts + timedelta(days=1)).isoformat()},
    )
    assert moved.status == 200
    declined = await mentee.post(f"/api/v1/meetups/{meetup['id']}/decline", headers=JSON)
    assert (await declined.json())["meetup"]["status"] == "declined"
    again = (await (await mentor.get(f"/api/v1/sessions/{session_id}")).json())["session"]
    assert again["starts_at"] == (starts + timedelta(days=1)).isoformat()
    assert again["status"] == "cancelled"
    assert (await (await mentor.get("/api/v1/sessions")).json())["sessions"] == []


async def test_rsvp_room_limit_check_in_and_no_shows(
    client: Client, make_client: MakeClient
) -> None:
    host, host_user = await _person(make_client, "r0@example.org", "mentor", "Berlin", "DE")
    people = [
        await _person(make_client, f"r{i}@example.org", "mentee", "Potsdam", "DE")
        for i in range(1, 6)
    ]
    # Strangers to the host: each is asked (a request) and answers for themself.
    starts = utcnow().replace(microsecond=0) + timedelta(minutes=5)
    meetup = await _meetup(host, [user["id"] for _, user in people], starts)
    (a, a_user), (b, b_user), (c, c_user), (d, d_user), (e, e_user) = people

    assert (await _rsvp(a, meetup["id"], "remote")).status == 200
    assert (await _rsvp(b, meetup["id"], "remote")).status == 200
    full = await _rsvp(c, meetup["id"], "remote")
    assert full.status == 409 and (await full.json())["error"]["code"] == "room_full"
    assert (await _rsvp(c, meetup["id"], "maybe")).status == 422
    for browser in (c, d, e):
        assert (await _rsvp(browser, meetup["id"], "in_person")).status == 200
    body = (await (await host.get("/api/v1/meetups")).json())["meetups"][0]
    assert {p["user_id"]: p["attendance"] for p in body["participants"]} == {
        host_user["id"]: "in_person",
        a_user["id"]: "remote",
        b_user["id"]: "remote",
        c_user["id"]: "in_person",
        d_user["id"]: "in_person",
        e_user["id"]: "in_person",
    }
    session_id = body["session_id"]

    status = await (await host.get(f"/api/v1/sessions/{session_id}/check-in")).json()
    code = status["code"]
    assert len(code) == 6 and status["checked_in"] == []
    assert "code" not in await (await c.get(f"/api/v1/sessions/{session_id}/check-in")).json()
    svg = await host.get(status["qr_svg_url"])
    assert svg.status == 200 and svg.content_type == "image/svg+xml"
    assert (await svg.text()).lstrip().startswith("<?xml") and "<svg" in await svg.text()
    assert (await c.get(status["qr_svg_url"])).status == 403

    url = f"/api/v1/sessions/{session_id}/check-in"
    wrong = "000000" if code != "000000" else "111111"
    assert (await c.post(url, json={"code": wrong})).status == 422
    assert (await c.post(url, json={"code": code})).status == 200
    assert (await d.post(url, json={"user_id": d_user["id"]})).status == 403  # not the host
    ticked = await host.post(url, json={"user_id": d_user["id"]})
    assert (await ticked.json())["check_in"]["ticked_by_host"] is True
    for _ in range(5):
        await e.post(url, json={"code": wrong})
    locked = await e.post(url, json={"code": code})  # too many tries: only the host can tick
    assert locked.status == 429
    outsider = await make_client()
    await signup(outsider, "r-nosy@example.org")
    assert (await outsider.post(url, json={"code": code})).status == 404

    # The remote pair joined the room; the host's venue laptop did too.
    from models.sessions import Attendance  # noqa: PLC0415

    async with client.app[keys.DB]() as db:
        for uid in (host_user["id"], a_user["id"], b_user["id"]):
            db.add(Attendance(session_id=session_id, user_id=uid, joined_at=starts))
        await db.commit()
    await Reminders(client.app[keys.DB], client.app[keys.NOTIFIER]).mark_no_shows(
        starts + timedelta(minutes=11)
    )
    marks = (await (await host.get(f"/api/v1/sessions/{session_id}/no-shows")).json())["no_shows"]
    assert [m["user_id"] for m in marks] == [e_user["id"]]


async def test_office_hours_turned_hybrid_invite_exactly_those_within_reach(
    client: Client, make_client: MakeClient
) -> None:
    host, host_user = await _person(make_client, "oh0@example.org", "mentor", "Berlin", "DE")
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    created = await host.post(
        "/api/v1/office-hours",
        json={
            "title": "CV clinic",
            "starts_at": starts.isoformat(),
            "duration_minutes": 60,
            "capacity": 10,
        },
    )
    assert created.status == 201, await created.text()
    series_id = (await created.json())["office_hours"]["id"]
    people = {
        "potsdam": await _person(make_client, "oh1@example.org", "mentee", "Potsdam", "DE"),
        "berlin": await _person(make_client, "oh2@example.org", "mentee", "Berlin", "DE"),
        "stays_home": await _person(make_client, "oh3@example.org", "mentee", "Berlin", "DE", km=0),
        "munich": await _person(make_client, "oh4@example.org", "mentee", "Munich", "DE"),
        "private": await _person(make_client, "oh5@example.org", "mentee", "Berlin", "DE"),
    }
    await people["private"][0].patch("/api/v1/me", json={"open_to_meetups": False})
    for browser, _ in people.values():
        registered = await browser.post(f"/api/v1/office-hours/{series_id}/register", headers=JSON)
        assert registered.status == 200, await registered.text()
    ids = {key: user["id"] for key, (_, user) in people.items()}

    munich = people["munich"][0]
    url = f"/api/v1/office-hours/{series_id}/hybrid"
    assert (await munich.post(url, json={"starts_at": starts.isoformat()})).status == 404
    made = await host.post(url, json={"starts_at": starts.isoformat()})
    assert made.status == 201, await made.text()
    meetup = (await made.json())["meetup"]
    how = {p["user_id"]: (p["attendance"], p["response"]) for p in meetup["participants"]}
    assert how == {
        host_user["id"]: ("in_person", "accepted"),
        ids["potsdam"]: ("in_person", "pending"),
        ids["berlin"]: ("in_person", "pending"),
        ids["stays_home"]: ("remote", "accepted"),
        ids["munich"]: ("remote", "accepted"),
        ids["private"]: ("remote", "accepted"),
    }
    assert meetup["mode"] == "hybrid" and meetup["place"]["country"] == "Germany"
    assert meetup["place"]["name"] in {"Berlin", "Potsdam"}  # a real city, not a midpoint
    session = await (await munich.get(f"/api/v1/sessions/{meetup['session_id']}")).json()
    assert session["session"]["kind"] == "office_hours"  # the SFU room takes the remote people
    assert session["session"]["starts_at"] == starts.isoformat()
    again = await host.post(url, json={"starts_at": starts.isoformat()})
    assert again.status == 409
    moved = await host.post(
        f"/api/v1/meetups/{meetup['id']}/reschedule",
        json={"starts_at": (starts + timedelta(hours=1)).isoformat()},
    )
    assert moved.status == 409  # the occurrence and its meetup never disagree about the time

    # Privacy: a remote attendee learns the place and who comes how, and nothing finer.
    seen = await (await munich.get("/api/v1/meetups")).text()
    for leak in ("lat", "lon", "km", "band", "travel", "distance"):
        assert leak not in seen.lower()

    extra = starts + timedelta(days=3, hours=2)
    made = await host.post(
        url, json={"starts_at": extra.isoformat(), "place": {"name": "Potsdam", "country": "DE"}}
    )
    assert made.status == 201, await made.text()
    second = (await made.json())["meetup"]
    assert second["place"]["name"] == "Potsdam" and second["session_id"] != meetup["session_id"]
    occurrence = await (await munich.get(f"/api/v1/sessions/{second['session_id']}")).json()
    assert occurrence["session"]["starts_at"] == extra.isoformat()
    assert ids["munich"] in occurrence["session"]["participant_ids"]


async def test_meetup_page_shows_who_comes_how_and_no_one_elses_whereabouts(
    client: Client, make_client: MakeClient
) -> None:
    host, host_user = await _person(make_client, "p0@example.org", "mentor", "Berlin", "DE")
    remote, remote_user = await _person(make_client, "p1@example.org", "mentee", "Hamburg", "DE")
    there, there_user = await _person(make_client, "p2@example.org", "mentee", "Potsdam", "DE")
    starts = utcnow().replace(microsecond=0) + timedelta(minutes=5)
    meetup = await _meetup(host, [remote_user["id"], there_user["id"]], starts)
    await _rsvp(remote, meetup["id"], "remote")
    await _rsvp(there, meetup["id"], "in_person")
    meetup = (await (await host.get("/api/v1/meetups")).json())["meetups"][0]
    path = f"/meetups/{meetup['id']}"

    seen = await (await remote.get(path)).text()
    assert "Join by video" in seen and "/room?device=room" not in seen
    assert 'href="geo:52.52' in seen and "https://www.openstreetmap.org/?mlat=52.52" in seen
    assert "At the place" in seen and "By video" in seen and "P2" in seen
    for elsewhere in ("Potsdam", "Hamburg", " km"):  # only the meeting place is named
        assert elsewhere not in seen
    assert 'name="code"' not in seen

    page = await (await there.get(f"{path}?code=123456")).text()
    assert "Join by video" not in page and "/room?device=room" not in page  # the host's laptop
    assert 'name="code"' in page and 'value="123456"' in page
    token = TOKEN.search(page)
    assert token is not None
    code = (await (await host.get(f"/api/v1/sessions/{meetup['session_id']}/check-in")).json())[
        "code"
    ]
    checked = await there.post(
        f"{path}/check-in", data={"csrf_token": token.group(1), "code": code}
    )
    assert checked.status == 200 and "You are checked in." in await checked.text()
    remote_token = TOKEN.search(seen)
    assert remote_token is not None
    mistyped = await remote.post(
        f"{path}/check-in", data={"csrf_token": remote_token.group(1), "code": "12"}
    )
    assert mistyped.status == 422 and "not this meetup" in await mistyped.text()
    wrong = await remote.post(
        f"{path}/check-in", data={"csrf_token": remote_token.group(1), "code": code}
    )
    assert wrong.status == 200  # the code works for remote people too: one came after all
    assert "checked in" in await wrong.text()

    hosted = await (await host.get(path)).text()
    assert code in hosted and "check-in.svg" in hosted and "checked in" in hosted
    assert "/room?device=room" in hosted
    room = await (await there.get(f"/sessions/{meetup['session_id']}/room?device=room")).text()
    assert "Berlin table · 2 people" in room and 'data-device="room"' in room
    session_page = await (await there.get(f"/sessions/{meetup['session_id']}")).text()
    assert "Hybrid meetup" in session_page and f'href="{path}"' in session_page
    assert "Join the call" not in session_page  # who joins how is decided on the meetup page
    dashboard = await (await there.get("/dashboard")).text()
    assert f'href="/sessions/{meetup["session_id"]}/room"' not in dashboard
    posing = await (await remote.get(f"/sessions/{meetup['session_id']}/room?device=room")).text()
    assert "table ·" not in posing and "data-device" not in posing
