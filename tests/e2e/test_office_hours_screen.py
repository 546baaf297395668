"""The office-hours screen as people see it: the host sees the attendees large and their own
video small, attendees see the host large, no raise-hand button for the host, neutral toggles,
initials for a camera that is off, and Leave always in reach, on a laptop and on a phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import api_post, page_as, sign_up
from tests.e2e.test_call_screen import DESKTOP, PHONE, _box, _in_viewport, _is_red
from tests.e2e.test_office_hours_call import _click_join, _decoding

pytestmark = pytest.mark.browser

TILES = "() => window.tandemOfficeHours.tiles()"


async def _leave_in_reach(page: Page) -> None:
    """Leave is on screen at the top and the bottom of the page, on a laptop and on a phone."""
    for size in (DESKTOP, PHONE):
        await page.set_viewport_size(size)
        for where in ("0", "document.body.scrollHeight"):
            await page.evaluate(f"() => window.scrollTo(0, {where})")
            await _in_viewport(page, page.get_by_role("button", name="Leave"))
    await page.set_viewport_size(DESKTOP)


async def test_host_and_attendee_screens(browser: Browser, live_server: TestServer) -> None:
    host = await sign_up(live_server, "m@example.org", "Mina Mentor", "mentor")
    series = (
        await api_post(
            live_server,
            host,
            "/api/v1/office-hours",
            {
                "title": "Ask me anything",
                "starts_at": datetime.now(UTC).isoformat(),
                "duration_minutes": 60,
                "capacity": 5,
                "admission": "open",
            },
        )
    )["office_hours"]
    session_id = series["session_ids"][0]
    attendee = await sign_up(live_server, "e1@example.org", "Ada Lovelace", "mentee")
    await api_post(live_server, attendee, f"/api/v1/office-hours/{series['id']}/register", {})
    errors: list[str] = []
    host_ctx, mine = await page_as(browser, live_server, host, errors, viewport=DESKTOP)
    guest_ctx, theirs = await page_as(browser, live_server, attendee, errors, viewport=DESKTOP)

    # The host alone: waiting for attendees, no hand to raise, their own video fills the stage.
    await _click_join(mine, session_id)
    await expect(mine.locator("#call-waiting")).to_have_text("Waiting for attendees…")
    await expect(mine.get_by_role("heading", name=re.compile("Ask me anything"))).to_be_visible()
    await expect(mine.locator("#call-elapsed")).to_have_text(re.compile(r"^\d+:\d\d$"))
    await expect(mine.get_by_role("button", name="Raise hand")).to_have_count(0)

    await _click_join(theirs, session_id)
    await expect(theirs.locator("#call")).to_be_visible()
    await _decoding(mine, senders=1)
    await _decoding(theirs, senders=1)
    host_peer, guest_peer = [
        await p.evaluate("() => window.tandemOfficeHours.peerId") for p in (mine, theirs)
    ]
    await expect(mine.locator("#call-waiting")).to_be_hidden()

    # The host sees the attendee large and their own camera small, never on the stage.
    tiles = {t["peerId"]: t for t in await mine.evaluate(TILES)}
    assert tiles[host_peer]["isPip"] and not tiles[host_peer]["isStage"], tiles
    assert tiles[guest_peer]["hasVideo"] and not tiles[guest_peer]["isPip"], tiles
    area = await _box(mine.locator("#stage-area"))
    guest_tile = await _box(mine.locator(f'#grid .tile[data-peer-id="{guest_peer}"]'))
    own_tile = await _box(mine.locator(f'#pip .tile[data-peer-id="{host_peer}"]'))
    assert guest_tile["width"] > 0.6 * area["width"], (guest_tile, area)
    assert own_tile["width"] < 0.3 * area["width"], (own_tile, area)

    # The attendee sees the host on the stage, themselves small; their toggles are neutral.
    tiles = {t["peerId"]: t for t in await theirs.evaluate(TILES)}
    assert tiles[host_peer]["isStage"] and tiles[host_peer]["hasVideo"], tiles
    assert tiles[guest_peer]["isPip"], tiles
    hand = theirs.get_by_role("button", name="Raise hand")
    await expect(hand).to_have_attribute("aria-pressed", "false")
    for button in (hand, theirs.get_by_role("button", name="Share screen")):
        color = await button.evaluate("(b) => getComputedStyle(b).backgroundColor")
        assert not _is_red(color), color
    await expect(theirs.locator(".call-bar svg.icon use")).to_have_count(5)

    # A camera turned off shows initials on the host's screen, not a frozen frame.
    await theirs.get_by_role("button", name="Camera").click()
    guest_on_host = mine.locator(f'#grid .tile[data-peer-id="{guest_peer}"]')
    await expect(guest_on_host.locator(".avatar")).to_have_text("AL")
    await expect(guest_on_host.locator(".avatar")).to_be_visible()
    await expect(guest_on_host.locator("video")).not_to_be_visible()

    for page in (mine, theirs):
        await _leave_in_reach(page)
    assert not errors, errors
    await host_ctx.close()
    await guest_ctx.close()
