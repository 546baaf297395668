"""The agenda on the session page works with the keyboard and shows user text as text."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import PASSWORD, api_post, new_page, sign_up


async def test_agenda_add_reorder_tick_and_template(
    browser: Browser, live_server: TestServer
) -> None:
    agnes = await sign_up(live_server, "ag@example.org", "Agnes", "mentor")
    bert = await sign_up(live_server, "ag2@example.org", "Bert", "mentee")
    created = await api_post(
        live_server,
        agnes,
        "/api/v1/sessions",
        {
            "title": "Planning",
            "starts_at": "2031-01-01T10:00:00Z",
            "duration_minutes": 30,
            "participant_ids": [bert.user_id],
        },
    )
    session_id = created["session"]["id"]
    await api_post(live_server, bert, f"/api/v1/sessions/{session_id}/accept", {})

    context, page = await new_page(browser, live_server)
    await page.goto(f"/login?next=/sessions/{session_id}")
    await page.get_by_label("E-mail").fill("ag@example.org")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_text("No agenda yet")).to_be_visible()

    for title in ("First <b>point</b>", "Second point"):
        await page.get_by_label("New point").fill(title)
        await page.get_by_label("New point").press("Enter")
        await expect(page.locator(".agenda-title", has_text=title)).to_be_visible()
    await expect(page.locator(".agenda-item b")).to_have_count(0)

    await page.get_by_role("button", name="Move “Second point” up").click()
    await expect(page.locator(".agenda-title").first).to_have_text("Second point")
    await page.get_by_role("checkbox", name="Second point").check()
    await expect(page.locator(".agenda-item.done")).to_have_count(1)

    await page.get_by_role("button", name="Add template").click()
    await expect(page.locator(".agenda-title")).to_have_count(6)
    # Reloading shows what the server kept.
    await page.reload()
    await expect(page.locator(".agenda-title").first).to_have_text("Second point")
    await expect(page.locator(".agenda-item.done")).to_have_count(1)
    await context.close()
