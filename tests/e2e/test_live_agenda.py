"""The agenda and action items are live for both sides, and finishable without any prompt()."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Dialog, expect

from tests.e2e.conftest import Account, api_post, page_as, sign_up


async def _session(server: TestServer) -> tuple[Account, Account, int]:
    mentor = await sign_up(server, "mira@example.org", "Mira", "mentor")
    mentee = await sign_up(server, "noor@example.org", "Noor", "mentee")
    created = await api_post(
        server,
        mentor,
        "/api/v1/sessions",
        {
            "title": "Kickoff",
            "starts_at": "2031-01-01T10:00:00Z",
            "duration_minutes": 30,
            "participant_ids": [mentee.user_id],
        },
    )
    session_id = created["session"]["id"]
    await api_post(server, mentee, f"/api/v1/sessions/{session_id}/accept", {})
    return mentor, mentee, session_id


async def test_one_sides_agenda_changes_show_on_the_others_page_without_reload(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, session_id = await _session(live_server)
    errors: list[str] = []
    mentor_context, mentor_page = await page_as(browser, live_server, mentor, errors)
    mentee_context, mentee_page = await page_as(browser, live_server, mentee, errors)
    for page in (mentor_page, mentee_page):
        await page.goto(f"/sessions/{session_id}")
        await expect(page.locator("[data-notes-status]")).to_have_text(
            "Live: changes save as you type"
        )
        await expect(page.get_by_text("No agenda yet")).to_be_visible()

    await mentee_page.get_by_label("New point").fill("Career goals")
    await mentee_page.get_by_label("New point").press("Enter")
    await expect(mentor_page.locator(".agenda-title", has_text="Career goals")).to_be_visible()

    await mentor_page.get_by_role("checkbox", name="Career goals").check()
    await expect(mentee_page.locator(".agenda-item.done")).to_have_count(1)

    await mentor_page.get_by_label("New action item").fill("Send CV")
    await mentor_page.get_by_role("button", name="Add", exact=True).last.click()
    await expect(mentee_page.locator(".action-title", has_text="Send CV")).to_be_visible()
    assert errors == []
    await mentor_context.close()
    await mentee_context.close()


async def test_agenda_and_action_items_are_edited_in_place_and_finished(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, session_id = await _session(live_server)
    await sign_up(live_server, "stranger@example.org", "Stranger", "mentee")
    await api_post(
        live_server, mentor, f"/api/v1/sessions/{session_id}/agenda", {"title": "Portfolio"}
    )
    context, page = await page_as(browser, live_server, mentor)
    dialogs: list[str] = []

    async def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", refuse)
    await page.goto(f"/sessions/{session_id}")

    # Edit an agenda point in place, with the keyboard only.
    await page.get_by_role("button", name="Edit “Portfolio”").focus()
    await page.keyboard.press("Enter")
    editor = page.locator("form[data-editor]")
    title = editor.get_by_label("Point")
    await expect(title).to_be_focused()
    await title.fill("Portfolio review")
    await editor.get_by_label("Minutes").fill("15")
    await title.press("Enter")
    await expect(page.locator(".agenda-title")).to_have_text(["Portfolio review"])
    await expect(page.locator(".agenda-item .meta").first).to_have_text("15 min")
    await expect(page.get_by_role("button", name="Edit “Portfolio review”")).to_be_focused()

    # Turn it into an action item for the mentee, due on a date picked in a date input.
    await page.get_by_role("button", name="Make “Portfolio review” an action item").click()
    owner = page.locator("[data-agenda-list] select[name=owner_id]")
    await expect(owner.locator("option")).to_have_text(["Mira", "Noor"])  # participants only
    await owner.select_option(label="Noor")
    due = page.locator("[data-agenda-list] input[type=date]")
    # The browser's own today (its zone), not the server's.
    today = await page.evaluate("new Date().toLocaleDateString('sv')")
    assert await due.get_attribute("min") == today
    await due.fill("2031-02-03")
    await page.get_by_role("button", name="Add action item").click()
    item = page.locator(".action-item", has_text="Portfolio review")
    await expect(item.locator(".meta")).to_contain_text("Noor")

    # Edit the action item in place, then tick it off.
    await page.get_by_role("button", name="Edit “Portfolio review”").last.click()
    await page.get_by_label("Action item", exact=True).fill("Portfolio review with notes")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".action-title")).to_have_text(["Portfolio review with notes"])
    await page.get_by_role("checkbox", name="Portfolio review with notes").check()
    await expect(page.locator(".action-item.done")).to_have_count(1)
    await page.reload()
    await expect(page.locator(".action-item.done")).to_have_count(1)

    # A notes line becomes a draft action item: no prompt either.
    notes = page.locator("[data-notes-shared]")
    await notes.fill("Read the design doc")
    await page.get_by_role("button", name="Make the current line an action item").click()
    await expect(page.get_by_label("New action item")).to_have_value("Read the design doc")
    assert dialogs == []
    await context.close()


async def test_action_items_are_ticked_off_on_the_dashboard(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, session_id = await _session(live_server)
    for title in ("Send CV", "Book a mock interview"):
        await api_post(
            live_server,
            mentor,
            f"/api/v1/sessions/{session_id}/action-items",
            {"title": title, "owner_id": mentee.user_id},
        )
    context, page = await page_as(browser, live_server, mentee)
    await page.goto("/dashboard")
    await page.get_by_role("checkbox", name="Send CV").check()
    await expect(page.get_by_role("status").filter(has_text="Done")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("checkbox", name="Send CV")).to_have_count(0)
    await expect(page.get_by_role("checkbox", name="Book a mock interview")).not_to_be_checked()
    await context.close()


async def test_agenda_changes_reach_the_call_page_too(
    browser: Browser, live_server: TestServer
) -> None:
    mentor = await sign_up(live_server, "cm@example.org", "Cara", "mentor")
    mentee = await sign_up(live_server, "ce@example.org", "Dev", "mentee")
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    created = await api_post(
        live_server,
        mentor,
        "/api/v1/sessions",
        {
            "title": "Now",
            "starts_at": soon,
            "duration_minutes": 30,
            "participant_ids": [mentee.user_id],
        },
    )
    session_id = created["session"]["id"]
    await api_post(live_server, mentee, f"/api/v1/sessions/{session_id}/accept", {})
    call_context, call_page = await page_as(browser, live_server, mentor)
    await call_page.goto(f"/sessions/{session_id}/room")
    await expect(call_page.locator("[data-notes-status]")).to_have_text(
        "Live: changes save as you type"
    )
    await api_post(
        live_server, mentee, f"/api/v1/sessions/{session_id}/agenda", {"title": "Warm-up"}
    )
    await expect(call_page.locator(".agenda-title", has_text="Warm-up")).to_be_visible()
    await call_context.close()
