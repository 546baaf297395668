"""Consent before contact: a stranger can ask, never book, invite or assign."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import JSON, Client, MakeClient, signup

SPAM = "Urgent: re-verify your account at evil.example"


def _soon(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


async def _person(make_client: MakeClient, email: str, role: str = "mentee") -> tuple[Client, int]:
    browser = await make_client()
    user = await signup(browser, email, roles=[role], name=email.split("@")[0].title())
    return browser, int(user["id"])


async def _schedule(browser: Client, other_id: int, **extra: Any) -> dict[str, Any]:
    created = await browser.post(
        "/api/v1/sessions",
        json={
            "title": SPAM,
            "starts_at": _soon(),
            "duration_minutes": 30,
            "participant_ids": [other_id],
            **extra,
        },
    )
    assert created.status == 201, await created.text()
    session: dict[str, Any] = (await created.json())["session"]
    return session


async def _pair_up(mentor: Client, mentee: Client, mentor_id: int) -> None:
    asked = await mentee.post("/api/v1/mentorships", json={"mentor_id": mentor_id})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    answer = await mentor.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    assert answer.status == 200


def _dashboard_parts(page: str) -> tuple[str, str]:
    """The dashboard's requests section, and everything after it."""
    before, _, after = page.partition('id="upcoming"')
    return before.partition('id="requests"')[2], after


async def _titles(browser: Client) -> list[str]:
    body = await (await browser.get("/api/v1/sessions")).json()
    return [s["title"] for s in body["sessions"]]


async def test_a_stranger_can_only_ask_for_a_session(
    client: Client, make_client: MakeClient
) -> None:
    """[S4] A session naming a stranger is a request: nothing appears until they accept."""
    stranger, _ = await _person(make_client, "stranger@example.org", "mentor")
    target, target_id = await _person(make_client, "target@example.org")
    session = await _schedule(stranger, target_id)
    assert session["participant_ids"] != sorted(session["participant_ids"] + [target_id])
    assert session["requested_ids"] == [target_id]

    # Nothing appears as agreed: not in the list, no page, no agenda, no call.
    assert SPAM not in await _titles(target)
    for path in ("", "/agenda", "/join", "/action-items"):
        response = await target.get(f"/api/v1/sessions/{session['id']}{path}")
        assert response.status == 404, path
    requests_part, upcoming = _dashboard_parts(await (await target.get("/dashboard")).text())
    assert SPAM not in upcoming and f'href="/sessions/{session["id"]}"' not in upcoming
    assert SPAM in requests_part  # shown as what it is: a request from someone unknown

    # It is a request the target can see and answer.
    requests = (await (await target.get("/api/v1/session-requests")).json())["sessions"]
    assert [r["id"] for r in requests] == [session["id"]]
    declined = await target.post(f"/api/v1/sessions/{session['id']}/decline", headers=JSON)
    assert declined.status == 200
    assert (await (await target.get("/api/v1/session-requests")).json())["sessions"] == []
    assert SPAM not in await _titles(target)
    again = await target.post(f"/api/v1/sessions/{session['id']}/accept", headers=JSON)
    assert again.status == 404  # answered already: nothing left to accept


async def test_an_accepted_request_becomes_a_session(
    client: Client, make_client: MakeClient
) -> None:
    asker, _ = await _person(make_client, "asker@example.org", "mentor")
    target, target_id = await _person(make_client, "t2@example.org")
    session = await _schedule(asker, target_id)
    nosy, _ = await _person(make_client, "nosy@example.org")
    assert (await nosy.post(f"/api/v1/sessions/{session['id']}/accept", headers=JSON)).status == 404
    accepted = await target.post(f"/api/v1/sessions/{session['id']}/accept", headers=JSON)
    assert accepted.status == 200
    assert target_id in (await accepted.json())["session"]["participant_ids"]
    assert SPAM in await _titles(target)
    # Having agreed to a session together, they may now schedule with each other directly.
    follow_up = await _schedule(
        target, (await (await asker.get("/api/v1/me")).json())["user"]["id"]
    )
    assert follow_up["requested_ids"] == []


async def test_mentorship_partners_schedule_directly(
    client: Client, make_client: MakeClient
) -> None:
    """[M1] Partners in an active mentorship book each other without asking."""
    mentor, mentor_id = await _person(make_client, "m@example.org", "mentor")
    mentee, mentee_id = await _person(make_client, "e@example.org")
    await _pair_up(mentor, mentee, mentor_id)
    session = await _schedule(mentor, mentee_id)
    assert session["requested_ids"] == [] and mentee_id in session["participant_ids"]
    assert SPAM in await _titles(mentee)


async def test_a_stranger_cannot_put_someone_into_office_hours(
    client: Client, make_client: MakeClient
) -> None:
    stranger, _ = await _person(make_client, "oh-stranger@example.org", "mentor")
    target, target_id = await _person(make_client, "oh-target@example.org")
    # Office-hours occurrences come only from a series, which people register for themselves;
    # the sessions route refuses to make one with someone else in it.
    refused = await stranger.post(
        "/api/v1/sessions",
        json={
            "title": SPAM,
            "starts_at": _soon(),
            "duration_minutes": 30,
            "kind": "office_hours",
            "participant_ids": [target_id],
        },
    )
    assert refused.status == 422
    assert SPAM not in await _titles(target)
    assert (await (await target.get("/api/v1/session-requests")).json())["sessions"] == []


async def test_a_stranger_meetup_is_a_request(client: Client, make_client: MakeClient) -> None:
    """[S4] A meetup invitation from a stranger is kept apart as a request."""
    stranger, _ = await _person(make_client, "meet-stranger@example.org", "mentor")
    target, target_id = await _person(make_client, "meet-target@example.org")
    proposed = await stranger.post(
        "/api/v1/meetups",
        json={
            "participant_ids": [target_id],
            "place": {"name": "Berlin", "country": "DE"},
            "starts_at": _soon(),
        },
    )
    assert proposed.status == 201, await proposed.text()
    meetup_id = (await proposed.json())["meetup"]["id"]
    assert (await (await target.get("/api/v1/meetups")).json())["meetups"] == []
    requests = (await (await target.get("/api/v1/meetup-requests")).json())["meetups"]
    assert [m["id"] for m in requests] == [meetup_id]
    requests_part, rest = _dashboard_parts(await (await target.get("/dashboard")).text())
    assert "Berlin" in requests_part and "Berlin" not in rest
    await target.post(f"/api/v1/meetups/{meetup_id}/accept", headers=JSON)
    listed = (await (await target.get("/api/v1/meetups")).json())["meetups"]
    assert [m["id"] for m in listed] == [meetup_id]
    assert (await (await target.get("/api/v1/meetup-requests")).json())["meetups"] == []


async def test_attendees_cannot_assign_work_to_each_other(
    client: Client, make_client: MakeClient
) -> None:
    """[C1] Co-attendees cannot hand each other work; the host can."""
    host, _ = await _person(make_client, "oh-host@example.org", "mentor")
    created = await host.post(
        "/api/v1/office-hours",
        json={"title": "Open Q&A", "starts_at": _soon(1), "duration_minutes": 60, "capacity": 5},
    )
    series = (await created.json())["office_hours"]
    session_id = series["sessions"][0]["id"]
    (alice, alice_id), (bob, bob_id) = [
        await _person(make_client, f"{n}@example.org") for n in ("alice", "bob")
    ]
    for attendee in (alice, bob):
        registered = await attendee.post(
            f"/api/v1/office-hours/{series['id']}/register", headers=JSON
        )
        assert registered.status == 200
    base = f"/api/v1/sessions/{session_id}"
    spam_action = {"title": SPAM, "owner_id": alice_id}
    refused = await bob.post(f"{base}/action-items", json=spam_action)
    assert refused.status == 403
    assert (await refused.json())["error"]["code"] == "not_in_contact"
    refused_agenda = await bob.post(f"{base}/agenda", json={"title": SPAM, "owner_id": alice_id})
    assert refused_agenda.status == 403
    assert (await (await alice.get("/api/v1/action-items")).json())["action_items"] == []
    # Their own items, and the host's to a registered attendee, are fine.
    assert (
        await bob.post(f"{base}/action-items", json={"title": "Mine", "owner_id": bob_id})
    ).status == 201
    by_host = await host.post(
        f"{base}/action-items", json={"title": "Read ch. 2", "owner_id": alice_id}
    )
    assert by_host.status == 201


async def test_a_request_is_answered_from_the_dashboard(
    client: Client, make_client: MakeClient
) -> None:
    """[S4] The person asked decides, on their dashboard; only then is the session theirs."""
    asker, _ = await _person(make_client, "page-asker@example.org", "mentor")
    target, target_id = await _person(make_client, "page-target@example.org")
    session = await _schedule(asker, target_id)
    page = await (await target.get("/dashboard")).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token and f'action="/sessions/{session["id"]}/answer"' in page
    nosy, _ = await _person(make_client, "page-nosy@example.org")
    nosy_page = await (await nosy.get("/dashboard")).text()
    nosy_token = re.search(r'name="csrf_token" value="([^"]+)"', nosy_page)
    assert nosy_token
    hijack = await nosy.post(
        f"/sessions/{session['id']}/answer",
        data={"csrf_token": nosy_token.group(1), "answer": "accept"},
        allow_redirects=False,
    )
    assert hijack.status == 404
    answered = await target.post(
        f"/sessions/{session['id']}/answer",
        data={"csrf_token": token.group(1), "answer": "accept"},
        allow_redirects=False,
    )
    assert answered.status == 303
    _, upcoming = _dashboard_parts(await (await target.get("/dashboard")).text())
    assert SPAM in upcoming
