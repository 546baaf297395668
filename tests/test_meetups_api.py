"""Hybrid mentoring: places, suggestions that never leak coordinates, meetups and calendars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from tests.conftest import JSON, Client, MakeClient, signup


async def _person(
    make_client: MakeClient, email: str, role: str, city: str, country: str, *, km: int = 60
) -> tuple[Client, dict[str, object]]:
    browser = await make_client()
    user = await signup(browser, email, roles=[role], name=email.split("@")[0].title())
    response = await browser.patch(
        "/api/v1/me",
        json={
            "city": city,
            "country": country,
            "open_to_meetups": True,
            "max_travel_km": km,
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["user"]["profile"]["has_location"] is True
    return browser, user


async def _pair_up(mentor: Client, mentee: Client, mentor_id: object) -> None:
    asked = await mentee.post("/api/v1/mentorships", json={"mentor_id": mentor_id})
    mentorship_id = (await asked.json())["mentorship"]["id"]
    assert (
        await mentor.post(f"/api/v1/mentorships/{mentorship_id}/accept", headers=JSON)
    ).status == 200


async def test_geocode_finds_cities_without_coordinates(client: Client) -> None:
    await signup(client, "geo@example.org")
    response = await client.get("/api/v1/geocode", params={"q": "sao paulo"})
    assert response.status == 200
    body = await response.json()
    first = body["results"][0]
    assert (first["name"], first["country"]) == ("São Paulo", "Brazil")
    assert first["population"] > 10_000_000 and first["display_name"] == "São Paulo, Brazil"
    assert set(first) == {"name", "country", "population", "display_name"}
    assert body["attribution"] == "GeoNames (CC BY 4.0)"
    nonsense = await client.get("/api/v1/geocode", params={"q": "xqzzyplonk"})
    assert nonsense.status == 422
    assert "No city matches" in (await nonsense.json())["error"]["message"]
    assert (await client.get("/api/v1/geocode")).status == 422


async def test_unknown_city_is_refused_and_nothing_stored(client: Client) -> None:
    await signup(client, "nowhere@example.org")
    response = await client.patch("/api/v1/me", json={"city": "Atlantis", "country": "XX"})
    assert response.status == 422
    assert (await response.json())["error"]["code"] == "unknown_place"
    me = (await (await client.get("/api/v1/me")).json())["user"]["profile"]
    assert me["city"] == "" and me["has_location"] is False


async def test_pair_suggestion_uses_bands_and_a_city(
    client: Client, make_client: MakeClient
) -> None:
    """[M2] Partners see a city between them and a distance band, never coordinates."""
    mentor, mentor_user = await _person(make_client, "maria@example.org", "mentor", "Berlin", "DE")
    mentee, _ = await _person(make_client, "paul@example.org", "mentee", "Potsdam", "DE")
    await _pair_up(mentor, mentee, mentor_user["id"])
    response = await mentee.get("/api/v1/meetups/suggestions")
    text = await response.text()
    suggestions = (await response.json())["suggestions"]
    pair = [s for s in suggestions if s["kind"] == "mentorship"]
    assert len(pair) == 1
    assert pair[0]["with"] == [mentor_user["id"]]
    assert pair[0]["distance_band"] == "25-100 km"  # Berlin to Potsdam is about 27 km
    assert pair[0]["place"]["country"] == "Germany" and pair[0]["place"]["name"]
    assert pair[0]["others_travel"][str(mentor_user["id"])] in {
        "under 5 km",
        "5-25 km",
        "25-100 km",
    }
    assert pair[0]["times"], "Berlin and Berlin share working hours"
    # Berlin's centre as stored: nobody else's coordinates appear anywhere.
    for leak in ("52.52", "13.41", "latitude", "longitude", 'lat"', 'lon"'):
        assert leak not in text
    profile_text = await (await mentee.get(f"/api/v1/users/{mentor_user['id']}")).text()
    assert "52.52" not in profile_text and "13.41" not in profile_text

    await mentor.patch("/api/v1/me", json={"open_to_meetups": False})
    again = (await (await mentee.get("/api/v1/meetups/suggestions")).json())["suggestions"]
    assert all(mentor_user["id"] not in s["with"] for s in again)


async def test_match_hints_respect_both_travel_limits(
    client: Client, make_client: MakeClient
) -> None:
    mentee, _ = await _person(make_client, "near@example.org", "mentee", "Potsdam", "DE", km=60)
    _, willing = await _person(make_client, "w@example.org", "mentor", "Berlin", "DE", km=60)
    _, homebody = await _person(make_client, "h@example.org", "mentor", "Berlin", "DE", km=5)
    _, far = await _person(make_client, "f@example.org", "mentor", "Munich", "DE", km=1000)
    hints = [
        s
        for s in (await (await mentee.get("/api/v1/meetups/suggestions")).json())["suggestions"]
        if s["kind"] == "match"
    ]
    assert [h["with"] for h in hints] == [[willing["id"]]]


async def test_office_hours_group_in_one_metro(client: Client, make_client: MakeClient) -> None:
    host, _ = await _person(make_client, "host@example.org", "mentor", "Berlin", "DE")
    created = await host.post(
        "/api/v1/office-hours",
        json={
            "title": "Berlin circle",
            "starts_at": "2031-01-01T18:00:00Z",
            "duration_minutes": 60,
            "capacity": 10,
        },
    )
    series_id = (await created.json())["office_hours"]["id"]
    attendees = []
    for email, city in [
        ("a@example.org", "Potsdam"),
        ("b@example.org", "Berlin"),
        ("c@example.org", "Munich"),
    ]:
        browser, user = await _person(make_client, email, "mentee", city, "DE")
        await browser.post(f"/api/v1/office-hours/{series_id}/register", headers=JSON)
        attendees.append((browser, user))
    groups = [
        s
        for s in (await (await attendees[0][0].get("/api/v1/meetups/suggestions")).json())[
            "suggestions"
        ]
        if s["kind"] == "group"
    ]
    assert len(groups) == 1
    assert sorted(groups[0]["with"]) == sorted([attendees[1][1]["id"], groups[0]["with"][0]])
    assert attendees[2][1]["id"] not in groups[0]["with"]  # Munich is not in Berlin's area


async def test_propose_accept_and_export_ics(client: Client, make_client: MakeClient) -> None:
    mentor, mentor_user = await _person(make_client, "ics1@example.org", "mentor", "Berlin", "DE")
    mentee, mentee_user = await _person(make_client, "ics2@example.org", "mentee", "Potsdam", "DE")
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    proposed = await mentee.post(
        "/api/v1/meetups",
        json={
            "participant_ids": [mentor_user["id"]],
            "place": {"name": "Potsdam", "country": "DE"},
            "starts_at": starts.isoformat(),
        },
    )
    assert proposed.status == 201, await proposed.text()
    meetup = (await proposed.json())["meetup"]
    assert meetup["status"] == "proposed"
    accepted = await mentor.post(f"/api/v1/meetups/{meetup['id']}/accept", headers=JSON)
    assert (await accepted.json())["meetup"]["status"] == "accepted"
    listed = (await (await mentor.get("/api/v1/meetups")).json())["meetups"]
    assert [m["id"] for m in listed] == [meetup["id"]]
    dashboard = await (await mentor.get("/dashboard")).text()
    assert "Potsdam" in dashboard

    ics = await mentee.get(f"/api/v1/meetups/{meetup['id']}.ics")
    assert ics.status == 200 and ics.content_type == "text/calendar"
    calendar = Calendar.from_ical(await ics.read())
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == starts
    assert event.decoded("dtend") == starts + timedelta(minutes=90)
    assert "Potsdam" in str(event.get("location"))
    assert str(event.get("status")) == "CONFIRMED"
    assert len(event.get("attendee")) == 2

    outsider = await make_client()
    await signup(outsider, "nosy@example.org")
    assert (await outsider.get(f"/api/v1/meetups/{meetup['id']}.ics")).status == 404
    assert (
        await outsider.post(f"/api/v1/meetups/{meetup['id']}/accept", headers=JSON)
    ).status == 404

    to_the_past = await mentor.post(
        f"/api/v1/meetups/{meetup['id']}/reschedule", json={"starts_at": "2020-05-05T10:00:00Z"}
    )
    assert to_the_past.status == 422
    assert "starts_at" in (await to_the_past.json())["error"]["fields"]
    moved = await mentor.post(
        f"/api/v1/meetups/{meetup['id']}/reschedule",
        json={"starts_at": (starts + timedelta(days=1)).isoformat()},
    )
    assert (await moved.json())["meetup"]["status"] == "proposed"
    declined = await mentee.post(f"/api/v1/meetups/{meetup['id']}/decline", headers=JSON)
    assert (await declined.json())["meetup"]["status"] == "declined"


async def test_meetup_validation(client: Client, make_client: MakeClient) -> None:
    _, other = await _person(make_client, "v1@example.org", "mentor", "Berlin", "DE")
    await signup(client, "v2@example.org")
    base = {
        "participant_ids": [other["id"]],
        "place": {"name": "Berlin", "country": "DE"},
        "starts_at": "2031-01-01T10:00:00Z",
    }
    nowhere = await client.post("/api/v1/meetups", json={**base, "place": {"name": "Xqzzyville"}})
    assert nowhere.status == 422
    assert (await nowhere.json())["error"]["code"] == "unknown_place"
    alone = await client.post("/api/v1/meetups", json={**base, "participant_ids": []})
    assert alone.status == 422
    ghost = await client.post("/api/v1/meetups", json={**base, "participant_ids": [424242]})
    assert ghost.status == 422


async def test_dashboard_suggests_and_proposes_a_meetup(
    client: Client, make_client: MakeClient
) -> None:
    import re

    mentor, mentor_user = await _person(make_client, "d1@example.org", "mentor", "Berlin", "DE")
    mentee, _ = await _person(make_client, "d2@example.org", "mentee", "Potsdam", "DE")
    await _pair_up(mentor, mentee, mentor_user["id"])
    page = await (await mentee.get("/dashboard")).text()
    assert "Meet in person" in page and "GeoNames (CC BY 4.0)" in page
    assert "52.52" not in page
    form = re.search(r'<form method="post" action="/meetups/propose".*?</form>', page, re.S)
    assert form
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    when = re.search(r'<option value="([^"]+)"', form.group(0))
    assert when
    proposed = await mentee.post(
        "/meetups/propose", data={**fields, "starts_at": when.group(1)}, allow_redirects=False
    )
    assert proposed.status == 303, await proposed.text()
    mentor_page = await (await mentor.get("/dashboard")).text()
    assert "Your meetups" in mentor_page and 'value="accept"' in mentor_page


async def test_meetup_page_answer_and_reschedule(client: Client, make_client: MakeClient) -> None:
    import re

    mentor, mentor_user = await _person(make_client, "mp1@example.org", "mentor", "Berlin", "DE")
    mentee, _ = await _person(make_client, "mp2@example.org", "mentee", "Potsdam", "DE")
    proposed = await mentee.post(
        "/api/v1/meetups",
        json={
            "participant_ids": [mentor_user["id"]],
            "place": {"name": "Berlin", "country": "DE"},
            "starts_at": "2031-03-03T10:00:00+01:00",
        },
    )
    meetup_id = (await proposed.json())["meetup"]["id"]
    page = await (await mentor.get(f"/meetups/{meetup_id}")).text()
    assert "Meetup in Berlin" in page and "Mon 03 Mar 2031, 10:00 CET" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    moved = await mentor.post(
        f"/meetups/{meetup_id}/reschedule",
        data={"csrf_token": token.group(1), "starts_at": "2031-03-04T18:30"},
        allow_redirects=False,
    )
    assert moved.status == 303
    meetup = (await (await mentee.get("/api/v1/meetups")).json())["meetups"][0]
    assert meetup["starts_at"] == "2031-03-04T17:30:00+00:00"  # 18:30 in Berlin
    assert meetup["status"] == "proposed"
    outsider = await make_client()
    await signup(outsider, "mp3@example.org")
    assert (await outsider.get(f"/meetups/{meetup_id}")).status == 404


async def test_a_refused_proposal_keeps_the_dashboard_and_says_why(
    client: Client, make_client: MakeClient
) -> None:
    import re

    mentor, mentor_user = await _person(make_client, "r1@example.org", "mentor", "Berlin", "DE")
    mentee, _ = await _person(make_client, "r2@example.org", "mentee", "Potsdam", "DE")
    await _pair_up(mentor, mentee, mentor_user["id"])
    page = await (await mentee.get("/dashboard")).text()
    form = re.search(r'<form method="post" action="/meetups/propose".*?</form>', page, re.S)
    assert form
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    refused = await mentee.post(
        "/meetups/propose", data={**fields, "starts_at": "2020-05-05T10:00:00+00:00"}
    )
    assert refused.status == 422
    text = await refused.text()
    assert "The meetup was not proposed" in text and "Meet in person" in text
    assert "starts_at:" not in text
