"""The printable record renders the notes' Markdown safely; the .md export keeps its outline."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import api_post, page_as
from tests.e2e.people import mentor_and_mentee

NOTES = "# Kickoff\n\n- goals for <b>Q1</b>\n- [docs](javascript:alert(1))\n\nSetext\n---\n"


async def test_printable_record_renders_notes_and_keeps_agenda_owners(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, mentorship_id = await mentor_and_mentee(live_server)
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
    await api_post(
        live_server,
        mentor,
        f"/api/v1/sessions/{session_id}/agenda",
        {"title": "Portfolio", "owner_id": mentee.user_id, "minutes": 10},
    )
    context, page = await page_as(browser, live_server, mentor)
    await page.goto(f"/sessions/{session_id}")
    await expect(page.locator("[data-notes-status]")).to_have_text("Live: changes save as you type")
    await page.get_by_label("Shared notes").fill(NOTES)
    async with asyncio.timeout(10):  # stored once acknowledged
        while True:
            stored = await page.request.get(f"/api/v1/sessions/{session_id}/notes")
            if (await stored.json())["text"] == NOTES:
                break
            await asyncio.sleep(0.2)

    await page.add_init_script("window.print = () => { window.printed = true; };")
    await page.goto(f"/sessions/{session_id}/export")
    notes = page.locator(".notes-print")
    # Headings sit below the record's "Notes" heading (h2), Markdown lists are lists...
    await expect(notes.locator("h3")).to_have_text("Kickoff")
    await expect(notes.locator("h4")).to_have_text("Setext")
    await expect(notes.locator("li").first).to_have_text("goals for <b>Q1</b>")
    # ...and nothing typed becomes markup or a script link.
    await expect(notes.locator("b")).to_have_count(0)
    await expect(notes.locator("a[href^=javascript]")).to_have_count(0)
    await expect(page.get_by_text("# Kickoff")).to_have_count(0)
    await expect(page.locator(".checklist li").first).to_contain_text("Noor Mentee")

    await page.get_by_role("button", name="Print or save as PDF").click()
    assert await page.evaluate("window.printed") is True

    markdown = await (await page.request.get(f"/api/v1/sessions/{session_id}/export.md")).text()
    lines = markdown.splitlines()
    assert [line for line in lines if line.startswith("# ")] == ["# Kickoff"]  # the title only
    assert "### Kickoff" in lines and "#### Setext" in lines
    assert "- [ ] Portfolio (10 min, Noor Mentee)" in lines
    await context.close()
