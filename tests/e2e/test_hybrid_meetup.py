"""A hybrid meetup in headless Chromium: two remote people and the venue laptop see each other,
people at the place check in by code, and whoever did neither is a no-show."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from server import keys
from server.services.reminders import Reminders
from tests.e2e.conftest import Account, api_post, page_as, sign_up
from tests.e2e.people import api_call

pytestmark = pytest.mark.browser

# Set TANDEM_SCREENSHOTS=/some/dir to keep screenshots of every step for a look.
SHOTS = os.environ.get("TANDEM_SCREENSHOTS", "")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

DECODED = """async () => {
  const out = {};
  for (const [id, pc] of window.tandemCall.peers) {
    const report = await pc.getStats();
    let frames = 0;
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0;
    });
    out[id] = frames;
  }
  return out;
}"""


async def _shot(page: Page, name: str) -> None:
    if SHOTS:  # Playwright makes the folder
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


async def _decoding(page: Page, peers: int) -> dict[str, int]:
    """Wait until video from `peers` others is decoded on this page, and still growing."""
    start, first = time.monotonic(), None
    while time.monotonic() - start < 20:
        stats = await page.evaluate(DECODED)
        ready = len(stats) == peers and all(n > 0 for n in stats.values())
        if ready and first is not None and all(stats[p] > first.get(p, 0) for p in stats):
            return dict(stats)
        first = stats if ready else None
        await asyncio.sleep(0.3)
    raise AssertionError(f"video not decoded: {await page.evaluate(DECODED)}")


async def _in_call(page: Page) -> None:
    await expect(page.locator("#mic-level")).to_be_visible()
    await page.get_by_role("button", name="Join the call").click()
    await expect(page.locator("#call")).to_be_visible()
    await page.wait_for_function("() => window.tandemCall && window.tandemCall.peerId")


async def _people(server: TestServer) -> dict[str, Account]:
    who = {
        "host": ("Mira Mentor", "mentor", "Europe/Berlin"),
        "remote_a": ("Ana Remote", "mentee", "America/New_York"),
        "remote_b": ("Ben Remote", "mentee", "Europe/Lisbon"),
        "there_c": ("Cem There", "mentee", "Europe/Berlin"),
        "there_d": ("Dora There", "mentee", "Europe/Berlin"),
        "absent_e": ("Emil Absent", "mentee", "Europe/Berlin"),
    }
    people = {}
    for key, (name, role, zone) in who.items():
        people[key] = await sign_up(server, f"{key}@example.org", name, role)
        await api_call(server, people[key], "PATCH", "/api/v1/me", {"timezone": zone})
    return people


async def test_hybrid_meetup_video_check_in_and_no_show(
    browser: Browser, live_server: TestServer
) -> None:
    server = live_server
    people = await _people(server)
    host = people["host"]
    starts = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    proposed = await api_post(
        server,
        host,
        "/api/v1/meetups",
        {
            "participant_ids": [a.user_id for k, a in people.items() if k != "host"],
            "place": {"name": "Berlin", "country": "DE"},
            "starts_at": starts.isoformat(),
            "mode": "hybrid",
            "duration_minutes": 60,
        },
        expected=(201,),
    )
    meetup_id = proposed["meetup"]["id"]
    path = f"/api/v1/meetups/{meetup_id}/rsvp"
    for key in ("remote_a", "remote_b"):
        await api_post(server, people[key], path, {"attendance": "remote"})
    for key in ("there_c", "there_d", "absent_e"):
        await api_post(server, people[key], path, {"attendance": "in_person"})
    meetups = await api_call(server, host, "GET", "/api/v1/meetups")
    session_id = meetups["meetups"][0]["session_id"]
    errors: list[str] = []

    # The host's meetup page, then the venue laptop joins as the room device.
    venue_ctx, venue = await page_as(browser, server, host, errors, viewport=LAPTOP)
    await venue.goto(f"/meetups/{meetup_id}")
    assert len(await venue.locator(".check-in-code").inner_text()) == 6
    await _shot(venue, "mentor-meetup-1280")
    await venue.get_by_role("link", name="Use this laptop as the room device").click()
    await expect(venue.locator(".venue-banner")).to_contain_text("Berlin table · 4 people")
    await _in_call(venue)

    # Two remote mentees find the Join button on the meetup page.
    remotes: list[Page] = []
    for key, viewport in (("remote_a", LAPTOP), ("remote_b", PHONE)):
        _, page = await page_as(browser, server, people[key], errors, viewport=viewport)
        await page.goto(f"/meetups/{meetup_id}")
        if key == "remote_a":
            await _shot(page, "remote-mentee-meetup-1280")
        await page.get_by_role("link", name="Join by video").click()
        await _in_call(page)
        remotes.append(page)
    for page in (venue, *remotes):
        frames = await _decoding(page, peers=2)
        assert all(n > 0 for n in frames.values())
    await expect(remotes[0].locator(".tile[data-peer-id] .name")).to_contain_text(
        ["Berlin table · 4 people"]
    )
    await _shot(venue, "venue-room-device-1280")
    await _shot(remotes[0], "remote-call-1280")
    await _shot(remotes[1], "remote-call-390")

    # At the place: Cem types the code on a phone; Dora opens the QR code's link.
    status = await api_call(server, host, "GET", f"/api/v1/sessions/{session_id}/check-in")
    code = status["code"]
    _, phone = await page_as(browser, server, people["there_c"], errors, viewport=PHONE)
    await phone.goto(f"/meetups/{meetup_id}")
    await _shot(phone, "in-person-mentee-meetup-390")
    await phone.get_by_label("Code shown by the host").fill(code)
    await phone.get_by_role("button", name="Check in").click()
    await expect(phone.get_by_text("You are checked in.")).to_be_visible(timeout=30_000)
    await _shot(phone, "in-person-mentee-checked-in-390")
    _, qr = await page_as(browser, server, people["there_d"], errors, viewport=PHONE)
    await qr.goto(f"/meetups/{meetup_id}?code={code}")
    await qr.get_by_role("button", name="Check in").click()
    await expect(qr.get_by_text("You are checked in.")).to_be_visible(timeout=30_000)
    checked: Any = await api_call(server, host, "GET", f"/api/v1/sessions/{session_id}/check-in")
    assert {c["user_id"] for c in checked["checked_in"]} == {
        people["there_c"].user_id,
        people["there_d"].user_id,
    }

    _, host_phone = await page_as(browser, server, host, errors, viewport=PHONE)
    await host_phone.goto(f"/meetups/{meetup_id}")
    await _shot(host_phone, "mentor-meetup-390")
    _, remote_phone = await page_as(browser, server, people["remote_a"], errors, viewport=PHONE)
    await remote_phone.goto(f"/meetups/{meetup_id}")
    await _shot(remote_phone, "remote-mentee-meetup-390")
    _, there_laptop = await page_as(browser, server, people["there_c"], errors, viewport=LAPTOP)
    await there_laptop.goto(f"/meetups/{meetup_id}")
    await _shot(there_laptop, "in-person-mentee-meetup-1280")

    # After the grace period: Emil neither joined nor checked in.
    await Reminders(server.app[keys.DB], server.app[keys.NOTIFIER]).mark_no_shows(
        starts + timedelta(minutes=11)
    )
    marks = await api_call(server, host, "GET", f"/api/v1/sessions/{session_id}/no-shows")
    assert [m["user_id"] for m in marks["no_shows"]] == [people["absent_e"].user_id]
    assert errors == []
    await venue_ctx.close()
