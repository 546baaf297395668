"""Forms keep what was typed and explain problems next to the field, in plain words."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import new_page, page_as
from tests.e2e.people import mentor_and_mentee


async def test_signup_keeps_the_form_and_says_what_to_fix(
    browser: Browser, live_server: TestServer
) -> None:
    context, page = await new_page(browser, live_server)
    await page.goto("/signup")
    await page.get_by_label("Your name").fill("Ada")
    await page.get_by_label("E-mail").fill("ada@example.org")
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.locator("#e-password")).to_have_text("Use at least 10 characters.")
    await expect(page.locator("#e-roles")).to_have_text("Choose at least one.")
    await expect(page.get_by_label("Your name")).to_have_value("Ada")
    await expect(page.get_by_label("E-mail")).to_have_value("ada@example.org")
    await expect(page.get_by_text("String should")).to_have_count(0)
    await context.close()


async def test_a_past_start_time_reopens_the_schedule_form_with_a_message(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, _, mentorship_id = await mentor_and_mentee(live_server)
    context, page = await page_as(browser, live_server, mentor)
    await page.goto("/dashboard")
    await page.get_by_text("Schedule a session").click()
    form = page.locator(f"#mentorship-{mentorship_id} form")
    starts = form.get_by_label("Starts (Europe/Berlin)")
    assert await starts.get_attribute("min")  # the picker greys out the past
    await form.get_by_label("Title").fill("Portfolio review")
    await starts.fill("2020-01-06T10:00")
    await form.get_by_role("button", name="Schedule").click()
    form = page.locator(f"#mentorship-{mentorship_id} form")
    await expect(form).to_be_visible()  # still open, not a bare error page
    await expect(form.get_by_label("Title")).to_have_value("Portfolio review")
    await expect(form.get_by_label("Starts (Europe/Berlin)")).to_have_value("2020-01-06T10:00")
    await expect(form.locator(".error")).to_have_text("Pick a time that has not passed yet.")
    await expect(page.get_by_text("starts_at")).to_have_count(0)
    await context.close()


async def test_office_hours_form_keeps_input_and_refuses_the_past_nicely(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, _, _ = await mentor_and_mentee(live_server)
    context, page = await page_as(browser, live_server, mentor)
    await page.goto("/office-hours")
    assert await page.get_by_label("Repeat weekly until (optional)").get_attribute("min")
    await page.get_by_label("Title").fill("Career Q&A")
    await page.get_by_label("Places").fill("500")
    await page.get_by_label("First session (Europe/Berlin)").fill("2020-01-06T10:00")
    await page.get_by_role("button", name="Schedule").click()
    await expect(page.get_by_label("Title")).to_have_value("Career Q&A")
    await expect(page.locator("#e-oh-capacity")).to_have_text("Use 100 or less.")
    await page.get_by_label("Places").fill("10")
    await page.get_by_role("button", name="Schedule").click()
    await expect(page.locator("#e-oh-start")).to_have_text("Pick a time that has not passed yet.")
    await context.close()
