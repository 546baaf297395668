"""A new user signs up through the pages, fills in the profile and sees it on the dashboard."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import new_page


async def test_signup_edit_profile_and_see_it_on_dashboard(
    browser: Browser, live_server: TestServer
) -> None:
    context, page = await new_page(browser, live_server)
    await page.goto("/signup")
    await page.get_by_label("Your name").fill("Zoë <Tester>")
    await page.get_by_label("E-mail").fill("zoe@example.org")
    await page.get_by_label("Password").fill("short")
    await page.get_by_label("find a mentor").check()
    await page.get_by_role("button", name="Sign up").click()
    # A too-short password is explained next to the field, and nothing else is lost.
    await expect(page.locator("#e-password")).to_contain_text("10 characters")
    await expect(page.get_by_label("E-mail")).to_have_value("zoe@example.org")

    await page.get_by_label("Password").fill("a long enough password")
    await page.get_by_role("button", name="Sign up").click()
    await expect(page).to_have_url("/profile?welcome=1")

    await page.get_by_label("Headline").fill("Learning <b>backend</b> engineering")
    await page.get_by_label("Time zone").fill("Mars/Olympus")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#e-timezone")).to_contain_text("Unknown time zone")

    await page.get_by_label("Time zone").fill("Europe/Lisbon")
    await page.get_by_label("Skills").fill("python, sql")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_role("status")).to_contain_text("Profile saved")

    await page.get_by_role("link", name="Dashboard").click()
    profile_card = page.locator("section", has=page.get_by_role("heading", name="Your profile"))
    # User-written markup shows as text, never as HTML.
    await expect(profile_card).to_contain_text("Learning <b>backend</b> engineering")
    await expect(profile_card).to_contain_text("Europe/Lisbon")
    await expect(profile_card.locator("b")).to_have_count(0)
    await expect(page.get_by_role("heading", name="Hello, Zoë <Tester>")).to_be_visible()
    await expect(page.get_by_text("No upcoming sessions")).to_be_visible()
    await context.close()
