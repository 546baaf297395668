"""Asking for a mentor from the list, and a mentor's profile once the mentorship is active."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import page_as, sign_up
from tests.e2e.people import mentor_and_mentee


async def test_each_mentor_card_has_a_request_button(
    browser: Browser, live_server: TestServer
) -> None:
    await sign_up(live_server, "kim@example.org", "Kim", "mentor")
    mentee = await sign_up(live_server, "lou@example.org", "Lou", "mentee")
    context, page = await page_as(browser, live_server, mentee)
    await page.goto("/mentors")
    card = page.locator("li.card", has_text="Kim")
    await card.get_by_role("button", name="Request mentorship: ask Kim to mentor you").click()
    await expect(page.get_by_text("Your request was sent")).to_be_visible()
    await page.goto("/mentors")
    await expect(card.get_by_text("Request sent")).to_be_visible()
    await expect(card.get_by_role("button")).to_have_count(0)
    await context.close()


async def test_an_active_mentors_profile_offers_scheduling_not_a_request(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, mentorship_id = await mentor_and_mentee(live_server)
    context, page = await page_as(browser, live_server, mentee)
    await page.goto(f"/users/{mentor.user_id}")
    await expect(page.get_by_text("Your mentor")).to_be_visible()
    await expect(page.get_by_role("button", name="Send request")).to_have_count(0)
    await page.get_by_role("link", name="Schedule a session").click()
    form = page.locator(f"#mentorship-{mentorship_id} form")
    await expect(form.get_by_role("button", name="Schedule")).to_be_visible()
    await context.close()


async def test_a_pending_request_is_shown_instead_of_a_second_request(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, _ = await mentor_and_mentee(live_server, active=False)
    context, page = await page_as(browser, live_server, mentee)
    await page.goto(f"/users/{mentor.user_id}")
    await expect(page.get_by_text("You asked Mira Mentor to mentor you")).to_be_visible()
    await expect(page.get_by_role("button", name="Send request")).to_have_count(0)
    await context.close()
