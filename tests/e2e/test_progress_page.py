"""A mentee sets a goal, ticks a milestone during a session, and sees the chart move."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from models.mentorships import Mentorship
from server import keys
from server.services.admin import grant_admin
from tests.e2e.conftest import api_post, page_as, sign_up
from tests.e2e.people import api_call, mentor_and_mentee

# Set to a folder to keep screenshots of the pages at phone and desktop sizes.
SHOTS = os.environ.get("TANDEM_SCREENSHOT_DIR", "")


async def _shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    for width, height in ((1280, 800), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)


async def test_ticking_a_milestone_in_a_session_moves_the_chart(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, mentorship_id = await mentor_and_mentee(live_server)
    started = datetime.now(UTC) - timedelta(minutes=5)
    created = await api_post(
        live_server,
        mentor,
        "/api/v1/sessions",
        {
            "title": "Weekly",
            "starts_at": started.isoformat(),
            "duration_minutes": 60,
            "mentorship_id": mentorship_id,
        },
    )
    session_id = created["session"]["id"]
    errors: list[str] = []
    context, page = await page_as(browser, live_server, mentee, errors)
    await page.goto(f"/sessions/{session_id}")
    await page.get_by_role("link", name="Goals and progress").click()
    await expect(page.get_by_text("No goals yet")).to_be_visible()

    await page.get_by_label("Goal", exact=True).fill("Lead a team")
    await page.get_by_label("Why it matters").fill("Next promotion")
    await page.get_by_label("Milestones, one per line").fill("Run a retro\nWrite a plan")
    await page.get_by_role("button", name="Add goal").click()
    await expect(page.get_by_text("0 of 2 milestones done")).to_be_visible()
    chart = page.locator("svg.progress-chart")
    await expect(chart).to_have_attribute("data-milestones-reached", "0")

    await page.get_by_role("button", name="Mark done: Run a retro").click()
    await expect(page.get_by_text("1 of 2 milestones done")).to_be_visible()
    await expect(chart).to_have_attribute("data-milestones-reached", "1")
    await expect(chart.locator("desc")).to_contain_text("Milestones reached: 1.")
    await expect(page.locator(".timeline li[data-kind=milestone_reached]")).to_contain_text(
        "Run a retro"
    )
    goals = await api_call(live_server, mentee, "GET", f"/api/v1/mentorships/{mentorship_id}/goals")
    ticked = goals["goals"][0]["milestones"]
    assert [m["done_in_session_id"] for m in ticked] == [session_id, None]
    await page.goto("/dashboard")
    await expect(page.get_by_text("1 of 2 milestones")).to_be_visible()
    await page.goto(f"/mentorships/{mentorship_id}/progress")
    await _shoot(page, "progress")
    assert errors == []
    await context.close()


async def test_an_admin_ends_an_at_risk_mentorship_from_the_programme_page(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, mentorship_id = await mentor_and_mentee(live_server)
    admin = await sign_up(live_server, "admin@example.org", "Ada Admin", "mentor")
    async with live_server.app[keys.DB]() as db:
        await grant_admin(db, "admin@example.org")
        mentorship = await db.get(Mentorship, mentorship_id)
        assert mentorship is not None and mentorship.started_at is not None
        mentorship.started_at -= timedelta(days=45)  # no session for 45 days: at risk
        await db.commit()
    errors: list[str] = []
    context, page = await page_as(browser, live_server, admin, errors)
    await page.goto("/admin/programme")
    await expect(page.get_by_role("heading", name="At risk: no session in 30 days")).to_be_visible()
    await expect(page.locator("tbody tr", has_text="Noor Mentee")).to_contain_text("never")
    await _shoot(page, "programme")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.get_by_label("Reason for ending Mira Mentor and Noor Mentee").fill("Paused")
    await page.get_by_role("button", name="End", exact=True).click()
    await expect(page.get_by_text("Mentorship ended; both sides were told.")).to_be_visible()
    await expect(
        page.get_by_text("Every active mentorship met in the last 30 days.")
    ).to_be_visible()
    assert errors == []
    await context.close()
