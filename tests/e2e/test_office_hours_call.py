"""Office hours in headless Chromium: a mentor and two mentees via the lobby, media via the SFU."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from server import keys
from tests.e2e.conftest import api_post, page_as, sign_up

pytestmark = pytest.mark.browser

MEDIA_DEADLINE = 20.0


async def _click_join(page: Page, session_id: int) -> None:
    await page.goto(f"/sessions/{session_id}/room")
    await expect(page.locator("#mic-level")).to_be_visible()
    await page.get_by_role("button", name="Join office hours").click()


async def _decoding(page: Page, senders: int) -> dict[str, Any]:
    """Wait until video from `senders` other people is decoded here and keeps coming."""
    start = time.monotonic()
    first: dict[str, Any] | None = None
    stats: dict[str, Any] = {}
    while time.monotonic() - start < MEDIA_DEADLINE:
        stats = await page.evaluate("() => window.tandemOfficeHours.stats()")
        decoding = {p: s["framesDecoded"] for p, s in stats.items() if s["framesDecoded"] > 0}
        if len(decoding) >= senders:
            if first is not None and all(decoding[p] > first.get(p, 0) for p in decoding):
                return stats
            first = decoding
        await asyncio.sleep(0.5)
    raise AssertionError(f"video from {senders} senders not decoded in time: {stats}")


async def test_mentor_and_two_mentees_see_each_other_through_the_sfu(
    browser: Browser, live_server: TestServer
) -> None:
    mentor_account = await sign_up(live_server, "m@example.org", "Mina Mentor", "mentor")
    series = (
        await api_post(
            live_server,
            mentor_account,
            "/api/v1/office-hours",
            {
                "title": "Ask me anything",
                "starts_at": datetime.now(UTC).isoformat(),
                "duration_minutes": 60,
                "capacity": 5,
                "admission": "lobby",
            },
        )
    )["office_hours"]
    session_id = series["session_ids"][0]
    errors: list[str] = []  # uncaught exceptions in any page
    mentees = []
    for n in (1, 2):
        attendee = await sign_up(live_server, f"e{n}@example.org", f"Mentee {n}", "mentee")
        await api_post(live_server, attendee, f"/api/v1/office-hours/{series['id']}/register", {})
        mentees.append(await page_as(browser, live_server, attendee, errors))
    mentor_ctx, mentor = await page_as(browser, live_server, mentor_account, errors)

    # The mentees arrive first and wait in the lobby; the mentor lets them in.
    for _, page in mentees:
        await _click_join(page, session_id)
    await expect(mentees[1][1].locator("#lobby-status")).to_contain_text("number 2 in line")
    await _click_join(mentor, session_id)
    await expect(mentor.locator("#lobby-list li")).to_have_count(2)
    await mentor.get_by_role("button", name="Admit everyone").click()
    for _, page in mentees:
        await expect(page.locator("#call")).to_be_visible()

    pages = [mentor] + [page for _, page in mentees]
    await asyncio.gather(*(_decoding(page, senders=2) for page in pages))
    stats = live_server.app[keys.OFFICE_HOURS_ROOMS].sfu.stats(session_id)
    assert stats is not None and stats.participants == 3 and stats.published_tracks == 6
    assert stats.encoder_count == 0 and stats.frames_to_decoder == 0

    # The mentor is large for everyone; a raised hand shows on the mentor's list; the mentor
    # mutes a mentee, whose own client turns the microphone off.
    mentor_peer = await mentor.evaluate("() => window.tandemOfficeHours.peerId")
    mentee = mentees[0][1]
    stage = await mentee.evaluate("() => window.tandemOfficeHours.tiles().filter(t => t.isStage)")
    assert [t["peerId"] for t in stage] == [mentor_peer] and stage[0]["hasVideo"]
    await mentee.get_by_role("button", name="Raise hand").click()
    await expect(mentor.locator("#people li", has_text="Mentee 1")).to_contain_text(
        "hand raised (1)"
    )
    await mentor.get_by_role("button", name="Mute Mentee 1").click()
    await expect(mentee.locator("#mic-button")).to_have_attribute("aria-pressed", "false")
    await expect(mentor.locator("#people li", has_text="Mentee 1")).to_contain_text("mic off")

    # Speakers light up from their audio levels; the muted mentee sends silence and does not.
    muted, talking = [await p.evaluate("() => window.tandemOfficeHours.peerId") for _, p in mentees]
    await asyncio.sleep(1.5)  # past the highlight's hold time
    speakers: set[str] = set()
    for _ in range(12):
        tiles = await mentor.evaluate("() => window.tandemOfficeHours.tiles()")
        speakers.update(t["peerId"] for t in tiles if t["isSpeaking"])
        await asyncio.sleep(0.25)
    assert talking in speakers and muted not in speakers, speakers

    # The mentor stops Mentee 2's video; only Mentee 2 can turn it on again, and then everyone
    # decodes it again (the server resumes forwarding from a fresh keyframe).
    camera_button = mentees[1][1].locator("#camera-button")
    await mentor.get_by_role("button", name="Stop video of Mentee 2").click()
    await expect(camera_button).to_have_attribute("aria-pressed", "false")
    await expect(mentor.locator("#people li", has_text="Mentee 2")).to_contain_text("camera off")
    await camera_button.click()
    await expect(camera_button).to_have_attribute("aria-pressed", "true")
    await expect(mentor.locator("#people li", has_text="Mentee 2")).not_to_contain_text("camera")
    before = (await mentor.evaluate("() => window.tandemOfficeHours.stats()"))[talking]
    deadline = time.monotonic() + MEDIA_DEADLINE
    while True:
        now = (await mentor.evaluate("() => window.tandemOfficeHours.stats()"))[talking]
        if now["framesDecoded"] > before["framesDecoded"] + 10:
            break
        assert time.monotonic() < deadline, (before, now)
        await asyncio.sleep(0.5)

    # Mentee 1 shares a screen: it reaches everyone beside Mentee 1's camera and takes the stage.
    sharer = mentees[0][1]
    screen_button = sharer.locator("#screen-button")
    await screen_button.click()
    await expect(screen_button).to_have_attribute("aria-pressed", "true")
    await expect(mentor.locator("#people li", has_text="Mentee 1")).to_contain_text("sharing")
    first: dict[str, Any] | None = None
    deadline = time.monotonic() + MEDIA_DEADLINE
    while True:
        now = (await mentor.evaluate("() => window.tandemOfficeHours.stats()"))[muted]
        if first is not None and all(
            now[k] > first[k] + 10 for k in ("screenFramesDecoded", "framesDecoded")
        ):
            break
        first = first or (now if now["screenFramesDecoded"] > 0 else None)
        assert time.monotonic() < deadline, now
        await asyncio.sleep(0.5)
    stage = await mentor.evaluate("() => window.tandemOfficeHours.tiles().filter(t => t.isStage)")
    assert [(t["peerId"], t["isScreen"], t["hasVideo"]) for t in stage] == [(muted, True, True)]
    own = await sharer.evaluate("() => window.tandemOfficeHours.tiles()")
    assert [t["showsOwnCamera"] for t in own if t["peerId"] == muted] == [True]  # not the screen

    # Stopping the share takes its tile away: the mentor is back on the attendees' stage, and
    # the mentor's own stage is empty again (the attendees fill the view).
    await screen_button.click()
    await expect(screen_button).to_have_attribute("aria-pressed", "false")
    await expect(mentee.locator("#stage figure")).to_have_attribute("data-peer-id", mentor_peer)
    await expect(mentor.locator("#stage figure")).to_have_count(0)
    tiles = await mentor.evaluate("() => window.tandemOfficeHours.tiles()")
    assert not [t for t in tiles if t["isScreen"]], tiles

    assert not errors, errors
    for context in [mentor_ctx] + [ctx for ctx, _ in mentees]:
        await context.close()
