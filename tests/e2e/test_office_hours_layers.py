"""A browser publishes its camera with temporal layers (L1T3) in office hours; the server
reads the layers and another browser decodes the video. When the server pauses a video to fit
an attendee's link, their page says so, the host sees it, and the video comes back by itself."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from server import keys
from signaling.sfu.layers import PAUSED
from tests.e2e.conftest import api_post, page_as, sign_up

pytestmark = pytest.mark.browser

DEADLINE = 20.0
OUTBOUND_VIDEO = """async () => {
  const pc = window.tandemOfficeHours.pc;
  const video = pc?.getTransceivers().find((t) => t.sender.track?.kind === "video");
  if (!video) return { mode: null, statsMode: null, framesEncoded: 0 };
  const params = video.sender.getParameters();
  const report = await video.sender.getStats();
  const outbound = [...report.values()].find((s) => s.type === "outbound-rtp");
  return {
    mode: params.encodings[0].scalabilityMode ?? null,
    statsMode: outbound?.scalabilityMode ?? null,
    framesEncoded: outbound?.framesEncoded ?? 0,
  };
}"""


async def _join(page: Page, session_id: int) -> None:
    await page.goto(f"/sessions/{session_id}/room")
    await expect(page.locator("#mic-level")).to_be_visible()
    await page.get_by_role("button", name="Join office hours").click()
    await expect(page.locator("#call")).to_be_visible()


async def test_a_camera_with_temporal_layers_is_decoded_by_another_page(
    browser: Browser, live_server: TestServer
) -> None:
    host = await sign_up(live_server, "host@example.org", "Hana Host", "mentor")
    series = (
        await api_post(
            live_server,
            host,
            "/api/v1/office-hours",
            {
                "title": "Layers",
                "starts_at": datetime.now(UTC).isoformat(),
                "duration_minutes": 60,
                "capacity": 3,
                "admission": "open",
            },
        )
    )["office_hours"]
    session_id = series["session_ids"][0]
    guest = await sign_up(live_server, "guest@example.org", "Gil Guest", "mentee")
    await api_post(live_server, guest, f"/api/v1/office-hours/{series['id']}/register", {})
    errors: list[str] = []
    host_ctx, host_page = await page_as(browser, live_server, host, errors)
    guest_ctx, guest_page = await page_as(browser, live_server, guest, errors)
    await _join(host_page, session_id)
    await _join(guest_page, session_id)

    deadline = time.monotonic() + DEADLINE
    first = 0
    while True:
        guest_id = await guest_page.evaluate("() => window.tandemOfficeHours.peerId")
        outbound = await guest_page.evaluate(OUTBOUND_VIDEO)
        decoded = (await host_page.evaluate("() => window.tandemOfficeHours.stats()")).get(
            guest_id, {"framesDecoded": 0}
        )["framesDecoded"]
        if first and decoded > first + 10 and outbound["statsMode"]:
            break
        first = first or decoded
        assert time.monotonic() < deadline, (outbound, decoded)
        await asyncio.sleep(0.5)
    assert outbound["mode"] == "L1T3" and outbound["statsMode"] == "L1T3", outbound
    stats = live_server.app[keys.OFFICE_HOURS_ROOMS].sfu.stats(session_id)
    assert stats is not None and stats.layered_tracks == 2  # both cameras arrive layered
    assert stats.encoder_count == 0 and stats.frames_to_decoder == 0

    # The guest's link gives out: the server pauses the host's video to the guest (as its
    # bandwidth estimate would). The guest's page says so, the host sees who struggles, and
    # the video comes back by itself once the guest's reports allow it.
    host_id = await host_page.evaluate("() => window.tandemOfficeHours.peerId")
    conference = live_server.app[keys.OFFICE_HOURS_ROOMS].sfu.conferences[session_id]
    track = conference.subscriber_track(guest_id, host_id)
    assert track is not None
    track.set_layer(PAUSED)
    host_tile = guest_page.locator(f'figure[data-peer-id="{host_id}"]').first
    await expect(host_tile).to_contain_text("video paused to keep the sound clear")
    guest_row = host_page.locator("#people li", has_text="Gil Guest")
    await expect(guest_row).to_contain_text("weak link: video paused")
    await expect(host_tile).not_to_contain_text("video paused", timeout=15_000)
    await expect(guest_row).not_to_contain_text("video paused")
    before = (await guest_page.evaluate("() => window.tandemOfficeHours.stats()"))[host_id]
    deadline = time.monotonic() + DEADLINE
    while True:
        now = (await guest_page.evaluate("() => window.tandemOfficeHours.stats()"))[host_id]
        if now["framesDecoded"] > before["framesDecoded"] + 5:
            break
        assert time.monotonic() < deadline, (before, now)
        await asyncio.sleep(0.5)
    assert not errors, errors
    for context in (host_ctx, guest_ctx):
        await context.close()
