"""A mentee books through the page; the mentor's open page shows the news without a reload."""

from __future__ import annotations

import re

import aiohttp
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import Account, api_post, page_as, sign_up

AVAILABILITY = {
    "timezone": "Asia/Kolkata",
    "weekly": [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)],
    "session_minutes": [30, 60],
    "min_notice_hours": 1,
    "horizon_days": 14,
}


async def _as(server: TestServer, who: Account, method: str, path: str, body: object) -> None:
    async with aiohttp.ClientSession(cookies={"tandem_session": who.cookie}) as http:
        response = await http.request(method, server.make_url(path), json=body)
        assert response.status == 200, await response.text()


async def test_mentee_books_and_mentor_sees_it_live(
    browser: Browser, live_server: TestServer
) -> None:
    mentor = await sign_up(live_server, "mo@example.org", "Mona", "mentor")
    mentee = await sign_up(live_server, "me@example.org", "Mika", "mentee")
    await _as(live_server, mentor, "PATCH", "/api/v1/me", {"mentor_capacity": 3})
    await _as(live_server, mentor, "PUT", "/api/v1/me/availability", AVAILABILITY)
    await _as(live_server, mentee, "PATCH", "/api/v1/me", {"timezone": "America/New_York"})
    asked = await api_post(
        live_server, mentee, "/api/v1/mentorships", {"mentor_id": mentor.user_id}
    )
    accept = f"/api/v1/mentorships/{asked['mentorship']['id']}/accept"
    await api_post(live_server, mentor, accept, {})
    await api_post(live_server, mentor, "/api/v1/notifications/read", {})  # the request

    errors: list[str] = []
    mentor_context, mentor_page = await page_as(browser, live_server, mentor, errors)
    await mentor_page.goto("/dashboard")
    badge = mentor_page.locator("[data-unread]")
    await expect(badge).to_be_hidden()

    mentee_context, page = await page_as(browser, live_server, mentee, errors)
    await page.goto(f"/mentors/{mentor.user_id}/book")
    await expect(page.get_by_text("shown in your zone (America/New_York)")).to_be_visible()
    first = page.locator(".slot-list input").first
    await first.focus()
    await page.keyboard.press("Space")  # the keyboard is enough to pick a time
    await expect(first).to_be_checked()
    await page.get_by_label("What would you like to talk about?").fill("Interview <prep>")
    await page.get_by_role("button", name="Book 30 minutes").click()
    await expect(page).to_have_url(re.compile(r"/sessions/\d+"))
    await expect(page.get_by_role("heading", name="Mona and Mika")).to_be_visible()

    # The mentor's page, untouched since it loaded, now shows the count and the news.
    await expect(badge).to_have_text("1")
    await expect(mentor_page.locator("[data-notice-toast]")).to_contain_text(
        "Mika booked a session"
    )
    await mentor_page.get_by_role("link", name="Notifications, 1 unread").click()
    await expect(mentor_page.get_by_role("link", name="Mika booked a session")).to_be_visible()
    assert errors == []
    await mentee_context.close()
    await mentor_context.close()
