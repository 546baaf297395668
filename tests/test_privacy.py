"""What others can learn about you (docs/privacy.md), tried as a stranger would try it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar

from tests.conftest import JSON, Client, MakeClient, signup

ROOT = Path(__file__).resolve().parent.parent
# Band edges of docs/privacy.md: presence may change only between these ranges of max_travel_km.
REACH_RANGES = [range(0, 1), range(1, 6), range(6, 26), range(26, 101), range(101, 1001)]


async def _person(
    make_client: MakeClient,
    email: str,
    role: str,
    city: str,
    *,
    km: int = 1000,
    name: str | None = None,
) -> tuple[Client, int]:
    browser = await make_client()
    user = await signup(browser, email, roles=[role], name=name or email.split("@")[0].title())
    located = await browser.patch(
        "/api/v1/me",
        json={"city": city, "country": "DE", "open_to_meetups": True, "max_travel_km": km},
    )
    assert located.status == 200, await located.text()
    return browser, int(user["id"])


def _soon(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


async def test_nobody_sees_anyone_elses_email_address(
    client: Client, make_client: MakeClient
) -> None:
    """[S2] [M3] No answer, page or calendar file shows someone else's e-mail address."""
    mentor, mentor_id = await _person(make_client, "maria.private@example.org", "mentor", "Berlin")
    mentee, mentee_id = await _person(make_client, "paul.private@example.org", "mentee", "Potsdam")
    asked = await mentee.post("/api/v1/mentorships", json={"mentor_id": mentor_id})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    await mentor.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    session = await mentor.post(
        "/api/v1/sessions",
        json={
            "title": "Weekly",
            "starts_at": _soon(),
            "duration_minutes": 30,
            "mentorship_id": mentorship_id,
        },
    )
    session_id = (await session.json())["session"]["id"]
    proposed = await mentee.post(
        "/api/v1/meetups",
        json={
            "participant_ids": [mentor_id],
            "place": {"name": "Potsdam", "country": "DE"},
            "starts_at": _soon(),
        },
    )
    meetup_id = (await proposed.json())["meetup"]["id"]
    await mentor.post(f"/api/v1/meetups/{meetup_id}/accept", headers=JSON)

    ics = await mentee.get(f"/api/v1/meetups/{meetup_id}.ics")
    assert ics.status == 200
    body = (await ics.read()).decode()
    assert "@example.org" not in body and "mailto:" not in body.lower()
    event = next(iter(Calendar.from_ical(body).walk("VEVENT")))
    attendees = [str(a) for a in event.get("attendee")]
    assert len(attendees) == 2 and all(a.startswith("urn:uuid:") for a in attendees)
    # The same person has the same calendar identity in every file, so calendars can merge.
    again = Calendar.from_ical(await (await mentor.get(f"/api/v1/meetups/{meetup_id}.ics")).read())
    assert sorted(str(a) for a in next(iter(again.walk("VEVENT"))).get("attendee")) == sorted(
        attendees
    )

    for path in (
        "/api/v1/meetups",
        f"/api/v1/meetups/{meetup_id}.ics",
        "/api/v1/sessions",
        f"/api/v1/sessions/{session_id}",
        "/api/v1/mentorships",
        f"/api/v1/users/{mentor_id}",
        "/api/v1/meetups/suggestions",
        "/dashboard",
        f"/meetups/{meetup_id}",
        f"/sessions/{session_id}",
        f"/sessions/{session_id}/export",
        f"/users/{mentor_id}",
        "/mentors",
    ):
        response = await mentee.get(path)
        assert response.status == 200, path
        assert "maria.private" not in await response.text(), path
    own = await (await mentee.get("/api/v1/me")).json()
    assert own["user"]["email"] == "paul.private@example.org"  # the viewer's own is fine
    assert mentee_id


async def test_a_city_shows_only_when_its_owner_chose_to(
    client: Client, make_client: MakeClient
) -> None:
    """[S1] The public profile shows a city only when its owner chose to show it."""
    owner, owner_id = await _person(make_client, "olga@example.org", "mentor", "Leipzig")
    await owner.patch("/api/v1/me", json={"open_to_meetups": False})
    stranger = await make_client()
    await signup(stranger, "nosy@example.org")
    for path in (f"/api/v1/users/{owner_id}", f"/users/{owner_id}", "/mentors"):
        assert "Leipzig" not in await (await stranger.get(path)).text(), path
    own = await (await owner.get("/api/v1/me")).json()
    assert own["user"]["profile"]["city"] == "Leipzig"  # the owner still sees it
    await owner.patch("/api/v1/me", json={"show_city": True})
    for path in (f"/api/v1/users/{owner_id}", f"/users/{owner_id}", "/mentors"):
        assert "Leipzig" in await (await stranger.get(path)).text(), path


async def _sweep(browser: Client, target_id: int, kms: list[int]) -> dict[int, Any]:
    """What one account learns about the target for each max_travel_km it tries."""
    seen: dict[int, Any] = {}
    for km in kms:
        assert (await browser.patch("/api/v1/me", json={"max_travel_km": km})).status == 200
        response = await browser.get("/api/v1/meetups/suggestions")
        text = await response.text()
        assert "Potsdam" not in text  # the target's city never appears
        hints = [s for s in (await response.json())["suggestions"] if target_id in s["with"]]
        seen[km] = hints[0] if hints else None
    return seen


async def test_repeated_queries_from_several_accounts_cannot_locate_a_stranger(
    client: Client, make_client: MakeClient
) -> None:
    """[S3] Trying every max_travel_km from several accounts teaches a stranger only bands."""
    _, target_id = await _person(make_client, "target@example.org", "mentor", "Potsdam")
    kms = [0, 1, 4, 5, 6, 10, 20, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 35, 40, 60, 99, 100]
    kms += list(range(101, 141, 3)) + [150, 200, 1000]
    for n, city in enumerate(("Berlin", "Brandenburg an der Havel", "Magdeburg")):
        prober, _ = await _person(make_client, f"probe{n}@example.org", "mentee", city)
        seen = await _sweep(prober, target_id, kms)
        for reach in REACH_RANGES:
            answers = [seen[km] for km in kms if km in reach]
            # Within a band of reach, every answer is the same: nothing finer than a band leaks.
            assert all(a == answers[0] for a in answers), (city, reach, answers)
        found = [a for a in seen.values() if a is not None]
        assert found, city
        # The place offered is the prober's own city, not one near the target.
        assert all(a == found[0] for a in found)
        assert found[0]["place"]["name"] != "Potsdam"


async def test_group_suggestions_honour_reach_opt_out_and_removal(
    client: Client, make_client: MakeClient
) -> None:
    """[C2] A group suggestion holds only people who are open to meetups and within reach."""
    host, _ = await _person(make_client, "gh@example.org", "mentor", "Berlin")
    created = await host.post(
        "/api/v1/office-hours",
        json={"title": "Circle", "starts_at": _soon(1), "duration_minutes": 60, "capacity": 10},
    )
    series_id = (await created.json())["office_hours"]["id"]
    viewer, _ = await _person(make_client, "gv@example.org", "mentee", "Berlin")
    near, near_id = await _person(make_client, "gn@example.org", "mentee", "Berlin")
    homebody, home_id = await _person(make_client, "gb@example.org", "mentee", "Potsdam", km=5)
    private, private_id = await _person(make_client, "gp@example.org", "mentee", "Berlin")
    await private.patch("/api/v1/me", json={"open_to_meetups": False})
    for browser in (viewer, near, homebody, private):
        registered = await browser.post(f"/api/v1/office-hours/{series_id}/register", headers=JSON)
        assert registered.status == 200
    suggestions = (await (await viewer.get("/api/v1/meetups/suggestions")).json())["suggestions"]
    groups = [s for s in suggestions if s["kind"] == "group"]
    assert len(groups) == 1
    members = set(groups[0]["with"])
    assert near_id in members
    assert home_id not in members  # Potsdam is beyond the 5 km they are willing to travel
    assert private_id not in members  # turned meetups off


def _rule_ids(text: str) -> set[str]:
    return set(re.findall(r"\*\*\[([A-Z]\d+)\]\*\*", text))


def test_every_line_of_the_privacy_model_is_tested() -> None:
    """docs/privacy.md: each rule has a test naming it, and every test names a real rule."""
    rules = _rule_ids((ROOT / "docs" / "privacy.md").read_text())
    assert len(rules) >= 8
    tested: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for docstring in re.findall(r'"""((?:\[[A-Z]\d+\] ?)+)', path.read_text()):
            tested.update(re.findall(r"\[([A-Z]\d+)\]", docstring))
    assert rules - tested == set(), "rules without a test"
    assert tested - rules == set(), "tests naming rules that docs/privacy.md does not state"
