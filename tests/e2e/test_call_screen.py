"""The 1:1 call screen as people see it: pre-join preview, leaving and joining again, the stage
with a small self-view, initials for a camera that is off, a shared screen, the header and chat."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import (
    Browser,
    FloatRect,
    Locator,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, Account, page_as, sign_up
from tests.e2e.test_call import INBOUND, _enter_call, _media_flows, _session_now

pytestmark = pytest.mark.browser

DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
# Frames the <video> has shown, so a paused or frozen video is told apart from a playing one.
SHOWN_FRAMES = "(id) => document.getElementById(id).getVideoPlaybackQuality().totalVideoFrames"


@pytest.fixture
async def everyday_browser() -> AsyncIterator[Browser]:
    """Chromium with its usual autoplay policy, as people have it (no autoplay flag), under
    which a video whose stream ended does not start again by itself."""
    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--autoplay-policy")]
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=flags
        )
        yield instance
        await instance.close()


async def _people(server: TestServer) -> tuple[Account, Account, int]:
    mentor = await sign_up(server, "mentor@example.org", "Mina Mentor", "mentor")
    mentee = await sign_up(server, "mentee@example.org", "Theo <i>Mentee</i>", "mentee")
    return mentor, mentee, await _session_now(server, mentor, mentee)


async def _plays(page: Page, video_id: str) -> None:
    """The <video> is playing: not paused, and the frames it shows keep coming."""
    deadline = time.monotonic() + 10
    first = None
    while time.monotonic() < deadline:
        paused = await page.evaluate("(id) => document.getElementById(id).paused", video_id)
        shown = await page.evaluate(SHOWN_FRAMES, video_id)
        if not paused and shown > 0:
            if first is not None and shown > first:
                return
            first = first if first is not None else shown
        await asyncio.sleep(0.25)
    raise AssertionError(f"#{video_id} is not playing (paused={paused}, frames={shown})")


async def _box(locator: Locator) -> FloatRect:
    box = await locator.bounding_box()
    assert box is not None, locator
    return box


async def _in_viewport(page: Page, locator: Locator) -> None:
    """Wholly inside the window, as it is now scrolled."""
    box = await _box(locator)
    size = page.viewport_size
    assert size is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)


def _is_red(css_color: str) -> bool:
    r, g, b = (int(n) for n in re.findall(r"\d+", css_color)[:3])
    return r > 150 and g < 110 and b < 110


async def test_preview_leave_and_join_again(
    everyday_browser: Browser, live_server: TestServer
) -> None:
    mentor, _, session_id = await _people(live_server)
    context, page = await page_as(everyday_browser, live_server, mentor, viewport=DESKTOP)
    await page.goto(f"/sessions/{session_id}/room")
    await expect(page.locator("#mic-level")).to_be_visible()
    # The live preview is not covered by a "Camera off" label.
    await _plays(page, "preview")
    await expect(page.locator("#preview-off")).to_be_hidden()

    await _enter_call(page, session_id)
    await _plays(page, "self-view")
    await page.get_by_role("button", name="Leave").click()
    # The "You left" card is where the eye is, not below the agenda and notes.
    left = page.get_by_role("heading", name="You left the call")
    await expect(left).to_be_visible()
    await _in_viewport(page, page.get_by_role("button", name="Join again"))
    await _in_viewport(page, left)

    # Joining again: one's own video plays again.
    await page.get_by_role("button", name="Join again").click()
    await expect(page.locator("#call")).to_be_visible()
    await _plays(page, "self-view")
    await context.close()


async def test_call_screen_as_people_know_it(browser: Browser, live_server: TestServer) -> None:
    mentor, mentee, session_id = await _people(live_server)
    # The mentor reads times in Kolkata (UTC+5:30, so a UTC time would show the wrong minutes).
    errors: list[str] = []  # uncaught exceptions in either page
    mentor_ctx, mine = await page_as(
        browser, live_server, mentor, errors, viewport=DESKTOP, timezone_id="Asia/Kolkata"
    )
    mentee_ctx, theirs = await page_as(browser, live_server, mentee, errors, viewport=DESKTOP)

    # Alone: the header names the session, counts the time and says whom we wait for.
    await _enter_call(mine, session_id)
    header = mine.locator(".call-header")
    await expect(header.get_by_role("heading", name="Call test")).to_be_visible()
    await expect(mine.locator("#call-elapsed")).to_have_text(re.compile(r"^\d+:\d\d$"))
    await expect(mine.locator("#call-waiting")).to_have_text("Waiting for Theo <i>Mentee</i>…")

    # Together: the other person large, one's own video small in a corner of the stage.
    await _enter_call(theirs, session_id)
    await _media_flows(mine)
    await _media_flows(theirs)
    await expect(mine.locator("#call-waiting")).to_be_hidden()
    stage = await _box(mine.locator("#stage"))
    remote = await _box(mine.locator(".tile[data-peer-id]"))
    own = await _box(mine.locator("#self-tile"))
    assert remote["width"] > 0.8 * stage["width"] and remote["height"] > 0.8 * stage["height"]
    assert own["width"] < 0.3 * stage["width"], (own, stage)
    assert own["x"] + own["width"] <= stage["x"] + stage["width"]
    assert own["y"] + own["height"] <= stage["y"] + stage["height"]

    # A camera turned off shows the person's initials, not a frozen last frame.
    await theirs.get_by_role("button", name="Camera").click()
    await expect(theirs.get_by_role("button", name="Camera")).to_have_attribute(
        "aria-pressed", "false"
    )
    tile = mine.locator(".tile[data-peer-id]")
    await expect(tile.locator(".avatar")).to_be_visible()
    await expect(tile.locator(".avatar")).to_have_text("TI")
    await expect(tile.locator("video")).not_to_be_visible()
    await expect(theirs.locator("#self-tile .avatar")).to_have_text("TI")  # "Theo <i>Mentee</i>"

    # A shared screen fills the stage and is decoded.
    before = sum(s["frames"] for s in (await mine.evaluate(INBOUND)).values())
    await theirs.get_by_role("button", name="Share screen").click()
    await expect(tile).to_have_class(re.compile(r"\bscreen\b"))
    await expect(tile.locator(".avatar")).to_be_hidden()
    await expect(tile.locator("video")).to_be_visible()
    shared = await _box(tile)
    assert shared["width"] > 0.8 * stage["width"], (shared, stage)
    deadline = time.monotonic() + 10
    while sum(s["frames"] for s in (await mine.evaluate(INBOUND)).values()) < before + 10:
        assert time.monotonic() < deadline, "the shared screen was not decoded"
        await asyncio.sleep(0.25)

    # Chat shows when each message was sent, in the reader's own time zone.
    await theirs.get_by_label("Message").fill("Shall we start?")
    await theirs.get_by_role("button", name="Send").click()
    line = mine.locator("#chat-log li").last
    await expect(line).to_contain_text("Shall we start?")
    sent = datetime.fromisoformat(
        (await line.locator("time").get_attribute("datetime") or "").replace("Z", "+00:00")
    ).astimezone(ZoneInfo("Asia/Kolkata"))
    shown = re.search(r"(\d{1,2}):(\d\d)", await line.locator("time").inner_text())
    assert shown is not None
    assert (int(shown[1]) % 12, int(shown[2])) == (sent.hour % 12, sent.minute)

    # The controls: icons (no emoji), toggles neutral when off, Leave in reach on a phone too.
    bar = mine.get_by_role("toolbar", name="Call controls")
    await expect(bar.locator("svg.icon use")).to_have_count(4)
    await mine.get_by_role("button", name="Microphone").click()
    for name in ("Microphone", "Share screen"):
        button = mine.get_by_role("button", name=name, exact=True)
        await expect(button).to_have_attribute("aria-pressed", "false")
        color = await button.evaluate("(b) => getComputedStyle(b).backgroundColor")
        assert not _is_red(color), (name, color)
    for size in (DESKTOP, PHONE):
        await mine.set_viewport_size(size)
        for where in ("0", "document.body.scrollHeight"):
            await mine.evaluate(f"() => window.scrollTo(0, {where})")
            await _in_viewport(mine, mine.get_by_role("button", name="Leave"))
    assert not errors, errors
    await mentor_ctx.close()
    await mentee_ctx.close()
