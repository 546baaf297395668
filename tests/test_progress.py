"""The progress timeline and its chart: the numbers agree, and only the pair sees them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from models.base import utcnow
from models.mentorships import Mentorship
from models.no_shows import NoShow
from models.sessions import MentoringSession, SessionKind, SessionParticipant
from server import keys
from server.services.progress import Week
from tests.conftest import Client, MakeClient, signup
from tests.test_goals_api import add_goal, pair
from web.progress_chart import progress_svg

SVG = "{http://www.w3.org/2000/svg}"


async def past_session(
    client: Client, mentorship_id: int, days_ago: int, *, cancelled: bool = False
) -> int:
    """A one-on-one session of the pair that is over (the API refuses to book the past)."""
    async with client.app[keys.DB]() as db:
        mentorship = await db.get(Mentorship, mentorship_id)
        assert mentorship is not None
        session = MentoringSession(
            kind=SessionKind.ONE_ON_ONE,
            title=f"Session {days_ago} days ago",
            starts_at=utcnow() - timedelta(days=days_ago, minutes=31),
            duration_minutes=30,
            host_id=mentorship.mentor_id,
            mentorship_id=mentorship.id,
            cancelled_at=utcnow() if cancelled else None,
        )
        session.participants = [
            SessionParticipant(user_id=mentorship.mentor_id),
            SessionParticipant(user_id=mentorship.mentee_id),
        ]
        db.add(session)
        await db.commit()
        return session.id


def chart_numbers(svg: str) -> dict[str, list[int]]:
    """The values the chart plots, per series, read back from the SVG."""
    root = ET.fromstring(svg)
    return {
        str(group.get("data-series")): [
            int(str(m.get("data-value"))) for m in group if m.tag != f"{SVG}polyline"
        ]
        for group in root.iter(f"{SVG}g")
        if group.get("data-series")
    }


async def test_timeline_and_chart_agree(client: Client, make_client: MakeClient) -> None:
    mentee, mentorship_id = await pair(client, make_client)
    held = [await past_session(client, mentorship_id, d) for d in (15, 8, 1)]
    await past_session(client, mentorship_id, 3, cancelled=True)
    missed = await past_session(client, mentorship_id, 2)
    async with client.app[keys.DB]() as db:
        db.add(
            NoShow(session_id=missed, user_id=(await db.get(Mentorship, mentorship_id)).mentee_id)
        )  # type: ignore[union-attr]
        await db.commit()
    goal = await add_goal(mentee, mentorship_id)
    ticked = await mentee.patch(
        f"/api/v1/milestones/{goal['milestones'][0]['id']}",
        json={"done": True, "session_id": held[-1]},
    )
    assert (await ticked.json())["milestone"]["done_in_session_id"] == held[-1]

    progress = await (await mentee.get(f"/api/v1/mentorships/{mentorship_id}/progress")).json()
    totals = progress["totals"]
    assert totals["session_held"] == 3
    assert totals["session_no_show"] == 1
    assert totals["session_cancelled"] == 1
    assert totals["milestone_reached"] == 1
    weeks = progress["weeks"]
    assert weeks[-1]["sessions_held"] == 3 and weeks[-1]["milestones_reached"] == 1
    assert [w["sessions_held"] for w in weeks] == sorted(w["sessions_held"] for w in weeks)

    page = await mentee.get(f"/mentorships/{mentorship_id}/progress")
    assert page.status == 200
    html = await page.text()
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    numbers = chart_numbers(svg)
    assert numbers["sessions_held"] == [w["sessions_held"] for w in weeks]
    assert numbers["milestones_reached"] == [w["milestones_reached"] for w in weeks]
    assert "Sessions held (solid line, dots): 3" in svg
    assert "Milestones reached (dashed line, squares): 1" in svg

    stranger = await make_client()
    await signup(stranger, "stranger@example.org", roles=["mentor", "mentee"])
    refused = await stranger.get(f"/mentorships/{mentorship_id}/progress")
    assert refused.status == 404 and "Lead a team" not in await refused.text()
    api = await stranger.get(f"/api/v1/mentorships/{mentorship_id}/progress")
    assert api.status == 404


def test_chart_is_well_formed_and_escapes_nothing_unsafe() -> None:
    from datetime import date

    empty = ET.fromstring(progress_svg([]))
    assert empty.get("data-sessions-held") == "0"
    weeks = [Week(date(2026, 11, 2), 1, 0), Week(date(2026, 11, 9), 2, 2)]
    root = ET.fromstring(progress_svg(weeks))
    assert root.get("role") == "img"
    assert chart_numbers(progress_svg(weeks)) == {
        "sessions_held": [1, 2],
        "milestones_reached": [0, 2],
    }


async def test_the_mentee_dashboard_shows_each_goal_at_a_glance(
    client: Client, make_client: MakeClient
) -> None:
    mentee, mentorship_id = await pair(client, make_client)
    goal = await add_goal(mentee, mentorship_id)
    await mentee.patch(f"/api/v1/milestones/{goal['milestones'][1]['id']}", json={"done": True})
    page = await (await mentee.get("/dashboard")).text()
    assert "Lead a team" in page and "1 of 2 milestones" in page
    assert f"/mentorships/{mentorship_id}/progress" in page
