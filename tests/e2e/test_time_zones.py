"""Every time a person reads is in their own zone, starting from the zone of their browser."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import api_post, page_as
from tests.e2e.people import mentor_and_mentee


async def test_a_new_profile_takes_the_browsers_zone_and_the_picker_searches_zones(
    browser: Browser, live_server: TestServer
) -> None:
    base = str(live_server.make_url("/")).rstrip("/")
    context = await browser.new_context(base_url=base, timezone_id="Asia/Tokyo")
    page = await context.new_page()
    await page.goto("/signup")
    await page.get_by_label("Your name").fill("Ken")
    await page.get_by_label("E-mail").fill("ken@example.org")
    await page.get_by_label("Password").fill("long enough password")
    await page.get_by_label("find a mentor").check()
    await page.get_by_role("button", name="Sign up").click()
    zone = page.get_by_label("Time zone")
    await expect(zone).to_have_value("Asia/Tokyo")

    # A real datalist backs the field, so typing offers matching zones.
    assert await zone.get_attribute("list") == "timezones"
    options = page.locator("datalist#timezones option")
    assert await options.count() > 300
    await expect(page.locator('datalist#timezones option[value="America/New_York"]')).to_have_count(
        1
    )
    await zone.fill("America/New_York")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_text("Profile saved.")).to_be_visible()
    await expect(zone).to_have_value("America/New_York")
    await context.close()


async def test_closed_room_and_exports_show_the_viewers_zone(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, mentorship_id = await mentor_and_mentee(live_server, zone="Asia/Tokyo")
    created = await api_post(
        live_server,
        mentor,
        "/api/v1/sessions",
        {
            "title": "Kickoff",
            "starts_at": "2031-01-01T10:00:00Z",
            "duration_minutes": 30,
            "mentorship_id": mentorship_id,
        },
    )
    session_id = created["session"]["id"]
    context, page = await page_as(browser, live_server, mentee)
    await page.goto(f"/sessions/{session_id}/room")
    closed = page.locator("[data-room-closed]")
    await expect(closed).to_contain_text("Wed 01 Jan 2031, 19:00 JST")
    await expect(closed).to_contain_text("18:50 JST")
    await expect(closed).not_to_contain_text("UTC")

    await page.goto(f"/sessions/{session_id}/export")
    await expect(page.locator(".record .meta").first).to_contain_text("19:00 JST")
    markdown = await (await page.request.get(f"/api/v1/sessions/{session_id}/export.md")).text()
    assert "- When: 2031-01-01 19:00 JST (Asia/Tokyo), 30 minutes" in markdown
    await context.close()
