"""The mentor directory, suggestions with reasons, and requests that never rot, over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from models.base import utcnow
from models.mentorships import Mentorship
from server import keys
from tests.conftest import JSON, Client, MakeClient, signup


async def _mentor(make_client: MakeClient, email: str, name: str, **profile: Any) -> Client:
    browser = await make_client()
    await signup(browser, email, roles=["mentor"], name=name)
    response = await browser.patch("/api/v1/me", json=profile)
    assert response.status == 200, await response.text()
    return browser


async def _directory(browser: Client, query: str = "") -> dict[str, Any]:
    response = await browser.get(f"/api/v1/mentors?{query}")
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [m["name"] for m in body["mentors"]]


async def _people(client: Client, make_client: MakeClient) -> dict[str, Client]:
    """Three mentors and a mentee in Berlin who wants to learn JS and hiring."""
    await signup(client, "lea@example.org", roles=["mentee"], name="Lea")
    me = {
        "skills": ["JS", "hiring"],
        "goals": "Become an engineering manager; get better at hiring.",
        "languages": ["English"],
        "timezone": "Europe/Berlin",
        "city": "Berlin",
        "country": "DE",
        "open_to_meetups": True,
        "max_travel_km": 50,
    }
    assert (await client.patch("/api/v1/me", json=me)).status == 200
    return {
        "jose": await _mentor(
            make_client,
            "jose@example.org",
            "José Núñez",
            headline="Engineering manager",
            bio="I help new managers with hiring and interviews.",
            skills=["JavaScript", "Hiring"],
            languages=["English"],
            timezone="Europe/Berlin",
            city="Potsdam",
            country="DE",
            open_to_meetups=True,
            max_travel_km=50,
        ),
        "hidden": await _mentor(
            make_client,
            "hid@example.org",
            "Hidden Hannah",
            headline="Python developer",
            bio="Python backends.",
            skills=["Python"],
            timezone="Europe/Berlin",
            city="Berlin",
            country="DE",
            open_to_meetups=False,
        ),
        "kai": await _mentor(
            make_client,
            "kai@example.org",
            "Kai Tanaka",
            headline="Chemist",
            bio="Organic chemistry.",
            skills=["Chemistry"],
            languages=["Japanese"],
            timezone="Asia/Tokyo",
            mentor_capacity=1,
        ),
    }


async def test_search_forgives_typos_accents_and_synonyms(
    client: Client, make_client: MakeClient
) -> None:
    await _people(client, make_client)
    assert _names(await _directory(client, "q=jose+nunez")) == ["José Núñez"]
    assert _names(await _directory(client, "q=pyhton")) == ["Hidden Hannah"]
    assert _names(await _directory(client, "q=js")) == ["José Núñez"]
    assert _names(await _directory(client, "q=chemistri")) == ["Kai Tanaka"]
    assert _names(await _directory(client, "q=nobody+knows+this")) == []
    # Everyone, best match first, each with a score and reasons; never an e-mail or a point.
    everyone = await _directory(client)
    assert _names(everyone)[0] == "José Núñez"
    first = everyone["mentors"][0]
    assert "2 shared skills: JavaScript, Hiring" in first["reasons"]
    assert first["in_person"] == "25-100 km"
    text = str(everyone)
    assert "@example.org" not in text and "latitude" not in text


async def test_filters_and_in_person_never_includes_who_opted_out(
    client: Client, make_client: MakeClient
) -> None:
    await _people(client, make_client)
    assert _names(await _directory(client, "skill=javascript")) == ["José Núñez"]
    assert _names(await _directory(client, "skill=JS&q=manager")) == ["José Núñez"]
    assert _names(await _directory(client, "language=japanese")) == ["Kai Tanaka"]
    # Hannah lives in Berlin too, but did not opt in to meetups.
    assert _names(await _directory(client, "in_person=true")) == ["José Núñez"]
    assert _names(await _directory(client, "overlap=8")) == ["José Núñez", "Hidden Hannah"]
    assert set(_names(await _directory(client, "sort=name"))) == {
        "José Núñez",
        "Hidden Hannah",
        "Kai Tanaka",
    }
    for bad in ("page=0", "sort=cheapest", "overlap=25", "open=maybe", "colour=red"):
        response = await client.get(f"/api/v1/mentors?{bad}")
        assert response.status == 422, bad
        assert (await response.json())["error"]["code"] == "validation_error"
    rating = await client.get("/api/v1/mentors?sort=rating")
    assert (await rating.json())["error"]["code"] == "sort_unavailable"
    stranger = await make_client()
    assert (await stranger.get("/api/v1/mentors")).status == 401
    # Someone without a city cannot filter by distance: told why, not shown an empty list.
    nowhere = await make_client()
    await signup(nowhere, "nowhere@example.org")
    refused = await nowhere.get("/api/v1/mentors?in_person=true")
    assert (await refused.json())["error"]["code"] == "in_person_unavailable"


async def test_pagination_links_to_the_next_page(client: Client, make_client: MakeClient) -> None:
    await signup(client, "pager@example.org")
    for i in range(23):
        await _mentor(make_client, f"m{i}@example.org", f"Mentor {i:02d}", headline="Go")
    first = await _directory(client, "q=go&sort=name")
    assert len(first["mentors"]) == 20 and first["total"] == 23
    assert first["next"] == "/api/v1/mentors?q=go&sort=name&page=2"
    second = await (await client.get(first["next"])).json()
    assert _names(second) == ["Mentor 20", "Mentor 21", "Mentor 22"]
    assert second["next"] is None


async def test_suggestions_explain_and_never_overbook_a_mentor(
    client: Client, make_client: MakeClient
) -> None:
    mentors = await _people(client, make_client)
    got = await (await client.get("/api/v1/matches/suggestions")).json()
    ranked = [s["mentor"]["name"] for s in got["suggestions"]]
    assert ranked[0] == "José Núñez"
    assert "can meet in person, 25-100 km" in got["suggestions"][0]["reasons"]
    # Kai has one place: top suggestion to Lea, so not to a second mentee at the same time.
    assert [s["top"] for s in got["suggestions"]] == [True, True, True]

    def top(body: dict[str, Any]) -> list[str]:
        return [s["mentor"]["name"] for s in body["suggestions"] if s["top"]]

    other = await make_client()
    await signup(other, "omar@example.org", name="Omar")
    theirs = await (await other.get("/api/v1/matches/suggestions")).json()
    assert "Kai Tanaka" not in top(theirs)
    assert "Kai Tanaka" in [s["mentor"]["name"] for s in theirs["suggestions"]]  # listed below
    # Lea asks someone else: her holds are released, and Kai can be Omar's top pick.
    jose_id = got["suggestions"][0]["mentor"]["id"]
    assert (await client.post("/api/v1/mentorships", json={"mentor_id": jose_id})).status == 201
    theirs = await (await other.get("/api/v1/matches/suggestions")).json()
    assert "Kai Tanaka" in top(theirs)
    # Lea is not shown José again while her request is open.
    again = await (await client.get("/api/v1/matches/suggestions")).json()
    assert jose_id not in [s["mentor"]["id"] for s in again["suggestions"]]
    refused = await mentors["kai"].get("/api/v1/matches/suggestions")
    assert refused.status == 403


async def test_requests_expire_and_mentor_cannot_accept_late(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await make_client()
    mentor_user = await signup(mentor, "slow@example.org", roles=["mentor"], name="Slow")
    await signup(client, "waiting@example.org")
    asked = await client.post("/api/v1/mentorships", json={"mentor_id": mentor_user["id"]})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    async with client.app[keys.DB]() as db:
        await db.execute(
            update(Mentorship)
            .where(Mentorship.id == mentorship_id)
            .values(created_at=utcnow() - timedelta(hours=73))
        )
        await db.commit()
    late = await mentor.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    assert late.status == 409
    assert (await late.json())["error"]["code"] == "request_expired"
    mine = await (await client.get("/api/v1/mentorships")).json()
    assert mine["mentorships"][0]["status"] == "expired"
    assert mine["mentorships"][0]["closed_reason"] == "expired"
    page = await (await client.get("/dashboard")).text()
    assert "expired after 72 h without an answer" in page
    # The next suggestions are someone else: here, another mentor with a place.
    other = await make_client()
    await signup(other, "next@example.org", roles=["mentor"], name="Next Mentor")
    page = await (await client.get("/dashboard")).text()
    assert 'id="next-mentors"' in page and "Next Mentor" in page
    got = await (await client.get("/api/v1/matches/suggestions")).json()
    assert [s["mentor"]["name"] for s in got["suggestions"]] == ["Next Mentor"]
    # And the mentee may ask again.
    again = await client.post("/api/v1/mentorships", json={"mentor_id": mentor_user["id"]})
    assert again.status == 201


async def test_not_taking_mentees_declines_pending_requests_politely(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await make_client()
    mentor_user = await signup(mentor, "busy@example.org", roles=["mentor"], name="Busy Bea")
    await signup(client, "hopeful@example.org")
    asked = await client.post("/api/v1/mentorships", json={"mentor_id": mentor_user["id"]})
    assert asked.status == 201
    assert (await mentor.patch("/api/v1/me", json={"mentor_capacity": 0})).status == 200
    mine = await (await client.get("/api/v1/mentorships")).json()
    assert mine["mentorships"][0]["status"] == "declined"
    assert mine["mentorships"][0]["closed_reason"] == "not_taking_mentees"
    page = await (await client.get("/dashboard")).text()
    assert "Busy Bea is not taking new mentees right now" in page
    refused = await client.post("/api/v1/mentorships", json={"mentor_id": mentor_user["id"]})
    assert refused.status == 409
    assert (await refused.json())["error"]["code"] == "not_taking_mentees"
    profile = await (await client.get(f"/users/{mentor_user['id']}")).text()
    assert "Answered 1 of 1 request, usually within an hour" in profile
    assert "Last active" in profile


async def test_mentors_page_searches_filters_and_says_when_nothing_matches(
    client: Client, make_client: MakeClient
) -> None:
    await _people(client, make_client)
    page = await (await client.get("/mentors?q=pyhton")).text()
    assert "Hidden Hannah" in page and "José Núñez" not in page
    assert 'value="pyhton"' in page and 'role="search"' in page
    page = await (await client.get("/mentors?in_person=true")).text()
    assert "José Núñez" in page and "Hidden Hannah" not in page
    assert "can meet in person, 25-100 km" in page
    page = await (await client.get("/mentors?q=%3Cscript%3E")).text()
    assert "No mentor matches this search" in page and "<script>" not in page
    bad = await client.get("/mentors?page=0")
    assert bad.status == 200
    assert 'role="alert"' in await bad.text()
    # Lea has no mentor yet: the page opens with her suggestions and their reasons.
    page = await (await client.get("/mentors")).text()
    assert "Suggested for you" in page and "2 shared skills: JavaScript, Hiring" in page
