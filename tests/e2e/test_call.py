"""Real calls in headless Chromium: two browsers, a reload, a second tab, and an aiortc client."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamTrack
from aiortc.sdp import candidate_from_sdp
from playwright.async_api import Browser, Page, expect

from server import keys
from tests.e2e.conftest import Account, api_post, page_as, sign_up

pytestmark = pytest.mark.browser

MEDIA_DEADLINE = 10.0

# Inbound media per peer connection, read in the page from the test hook.
INBOUND = """async () => {
  const out = {};
  for (const [id, pc] of window.tandemCall.peers) {
    const report = await pc.getStats();
    const row = {frames: 0, audioPackets: 0, samples: 0};
    report.forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video") row.frames += s.framesDecoded || 0;
      if (s.kind === "audio") {
        row.audioPackets += s.packetsReceived || 0;
        row.samples += s.totalSamplesReceived || 0;
      }
    });
    out[id] = row;
  }
  return out;
}"""


async def _session_now(server: TestServer, host: Account, guest: Account) -> int:
    body = {
        "title": "Call test",
        "starts_at": datetime.now(UTC).isoformat(),
        "duration_minutes": 60,
        "participant_ids": [guest.user_id],
    }
    created = await api_post(server, host, "/api/v1/sessions", body, expected=(201,))
    session_id: int = created["session"]["id"]
    await api_post(server, guest, f"/api/v1/sessions/{session_id}/accept", {})
    return session_id


@dataclass
class Pair:
    server: TestServer
    session_id: int
    mentor: Account
    mentee: Account


@pytest.fixture
async def pair(live_server: TestServer) -> Pair:
    mentor = await sign_up(live_server, "mentor@example.org", "Mina Mentor", "mentor")
    mentee = await sign_up(live_server, "mentee@example.org", "Theo <i>Mentee</i>", "mentee")
    return Pair(live_server, await _session_now(live_server, mentor, mentee), mentor, mentee)


async def _enter_call(page: Page, session_id: int) -> None:
    await page.goto(f"/sessions/{session_id}/room")
    await expect(page.locator("#mic-level")).to_be_visible()
    await page.get_by_role("button", name="Join the call").click()
    await expect(page.locator("#call")).to_be_visible()
    # In the room once the server's welcome has arrived (polled: the CSP forbids eval).
    async with asyncio.timeout(15):
        joined = "() => window.tandemCall && window.tandemCall.peerId"
        while not await page.evaluate(joined):  # noqa: ASYNC110 (polling the page)
            await asyncio.sleep(0.05)


async def _media_flows(
    page: Page, peers: int = 1, deadline: float = MEDIA_DEADLINE
) -> dict[str, Any]:
    """Wait until every remote peer's video is decoded and its audio received, both growing."""
    start = time.monotonic()
    first: dict[str, Any] | None = None
    while time.monotonic() - start < deadline:
        stats = await page.evaluate(INBOUND)
        ready = len(stats) == peers and all(
            s["frames"] > 0 and s["audioPackets"] > 0 for s in stats.values()
        )
        if ready and first is None:
            first = stats
        elif (
            ready
            and first is not None
            and set(first) == set(stats)
            and all(
                stats[p]["frames"] > first[p]["frames"]
                and stats[p]["audioPackets"] > first[p]["audioPackets"]
                for p in stats
            )
        ):
            return {"stats": stats, "seconds": time.monotonic() - start}
        elif not ready:
            first = None
        await asyncio.sleep(0.25)
    raise AssertionError(f"media did not flow within {deadline} s: {await page.evaluate(INBOUND)}")


async def _replaced(page: Page, old_ids: set[str]) -> None:
    """Wait until the page's peer connections are all new ones (the other side reconnected)."""
    await page.wait_for_function(
        "(old) => { const ids = [...window.tandemCall.peers.keys()];"
        " return ids.length > 0 && !ids.some((id) => old.includes(id)); }",
        arg=list(old_ids),
    )


async def test_two_browsers_call_chat_reload_and_second_tab(browser: Browser, pair: Pair) -> None:
    mentor_ctx, mentor = await page_as(browser, pair.server, pair.mentor)
    mentee_ctx, mentee = await page_as(browser, pair.server, pair.mentee)
    await _enter_call(mentor, pair.session_id)
    await _enter_call(mentee, pair.session_id)
    await _media_flows(mentor)
    await _media_flows(mentee)
    await expect(mentor.locator(".tile[data-peer-id] .name")).to_have_text("Theo <i>Mentee</i>")
    # Connection quality from getStats() on each remote tile.
    await expect(mentor.locator(".tile[data-peer-id] .quality")).to_contain_text(" kbps · ")

    # Both sides renegotiate at once (an ICE restart each): perfect negotiation settles the glare.
    restart = "() => { for (const pc of window.tandemCall.peers.values()) pc.restartIce(); }"
    await asyncio.gather(mentor.evaluate(restart), mentee.evaluate(restart))
    for page in (mentor, mentee):
        await page.wait_for_function(
            "() => [...window.tandemCall.peers.values()].every((pc) =>"
            " pc.signalingState === 'stable' && pc.connectionState === 'connected')"
        )
        await _media_flows(page)

    # Chat arrives as text, never markup; controls are real toggle buttons.
    await mentee.get_by_label("Message").fill("<img src=x onerror=alert(1)> hi")
    await mentee.get_by_role("button", name="Send").click()
    await expect(mentor.locator("#chat-log li").last).to_contain_text(
        "<img src=x onerror=alert(1)> hi"
    )
    await expect(mentor.locator("#chat-log img")).to_have_count(0)
    mic = mentee.locator("#mic-button")
    await mic.focus()
    await mentee.keyboard.press("Enter")
    await expect(mic).to_have_attribute("aria-pressed", "false")
    await expect(mentor.locator(".tile[data-peer-id] .media-icons")).to_contain_text("mic off")
    await mic.click()

    # A reload mid-call: the page rejoins by itself and media flows again both ways.
    old_ids = set((await mentor.evaluate(INBOUND)).keys())
    reloaded_at = time.monotonic()
    await mentee.reload()
    await _replaced(mentor, old_ids)
    await _media_flows(mentor)
    await _media_flows(mentee)
    assert time.monotonic() - reloaded_at < MEDIA_DEADLINE
    await expect(mentor.locator(".tile[data-peer-id]")).to_have_count(1)

    # The signaling connection drops (the server side goes away): the page reconnects by itself.
    room = pair.server.app[keys.ROOMS].room(pair.session_id)
    assert room is not None
    dropped = room.peer_of_user(pair.mentee.user_id)
    assert dropped is not None
    before = set((await mentor.evaluate(INBOUND)).keys())
    dropped.close(1012, "service restart")
    await _replaced(mentor, before)
    await _media_flows(mentor)
    await _media_flows(mentee)
    await expect(mentor.locator(".tile[data-peer-id]")).to_have_count(1)

    # The same user in a second tab replaces the first one: no ghost on the mentor's side.
    second = await mentee_ctx.new_page()
    await _enter_call(second, pair.session_id)
    await expect(mentee.locator("#left-message")).to_contain_text("another tab")
    await _media_flows(mentor)
    await expect(mentor.locator(".tile[data-peer-id]")).to_have_count(1)

    # Leaving is shown to the other side at once.
    await second.get_by_role("button", name="Leave").click()
    await expect(mentor.locator(".tile[data-peer-id]")).to_have_count(0)
    await expect(mentor.locator("#call-status")).to_contain_text("left the call")
    await mentor_ctx.close()
    await mentee_ctx.close()


class _Receiver:
    """Counts frames of the browser's video that reach the aiortc client."""

    def __init__(self) -> None:
        self.frames = 0
        self.enough = asyncio.Event()  # five frames arrived
        self.tasks: list[asyncio.Task[None]] = []

    def consume(self, track: MediaStreamTrack) -> None:
        async def run() -> None:
            while True:
                await track.recv()
                if track.kind == "video":
                    self.frames += 1
                    if self.frames >= 5:
                        self.enough.set()

        self.tasks.append(asyncio.ensure_future(run()))


@pytest.fixture
async def receiver() -> AsyncIterator[_Receiver]:
    got = _Receiver()
    yield got
    for task in got.tasks:
        task.cancel()


async def test_aiortc_client_and_browser_exchange_media(
    browser: Browser, pair: Pair, receiver: _Receiver
) -> None:
    mentor_ctx, mentor = await page_as(browser, pair.server, pair.mentor)
    await _enter_call(mentor, pair.session_id)

    async with aiohttp.ClientSession(cookies={"tandem_session": pair.mentee.cookie}) as http:
        ticket = await (
            await http.get(pair.server.make_url(f"/api/v1/sessions/{pair.session_id}/join"))
        ).json()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.on("track", receiver.consume)
    async with aiohttp.ClientSession() as http:  # the token alone, no cookie
        ws = await http.ws_connect(f"{ticket['ws_url']}?token={ticket['token']}")
        await ws.send_json({"type": "join", "media": {"camera": True}})
        welcome = json.loads((await ws.receive()).data)
        assert welcome["type"] == "welcome"
        (browser_peer,) = welcome["peers"]

        # As the newcomer we offer; aiortc puts all its candidates into the SDP.
        pc.addTrack(VideoStreamTrack())
        pc.addTransceiver("audio", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        await ws.send_json(
            {"type": "offer", "to": browser_peer["peer_id"], "sdp": pc.localDescription.sdp}
        )

        async def signaling() -> None:
            async for msg in ws:
                data = json.loads(msg.data)
                if data["type"] == "answer":
                    await pc.setRemoteDescription(RTCSessionDescription(data["sdp"], "answer"))
                elif data["type"] == "offer":  # a renegotiation from the browser
                    await pc.setRemoteDescription(RTCSessionDescription(data["sdp"], "offer"))
                    await pc.setLocalDescription(await pc.createAnswer())
                    await ws.send_json(
                        {"type": "answer", "to": data["from"], "sdp": pc.localDescription.sdp}
                    )
                elif data["type"] == "candidate" and data["candidate"]:
                    init = data["candidate"]
                    candidate = candidate_from_sdp(init["candidate"].split(":", 1)[1])
                    candidate.sdpMid = init.get("sdpMid")
                    candidate.sdpMLineIndex = init.get("sdpMLineIndex")
                    await pc.addIceCandidate(candidate)
                elif data["type"] == "ping":
                    await ws.send_json({"type": "pong"})

        relay = asyncio.ensure_future(signaling())
        try:
            # The browser decodes the aiortc client's video...
            start = time.monotonic()
            first = None
            while time.monotonic() - start < MEDIA_DEADLINE:
                frames = sum(s["frames"] for s in (await mentor.evaluate(INBOUND)).values())
                if frames > 0 and first is None:
                    first = frames
                elif first is not None and frames > first:
                    break
                await asyncio.sleep(0.25)
            else:
                raise AssertionError("the browser decoded no frames from aiortc")
            # ...and the aiortc client receives the browser's frames.
            await asyncio.wait_for(receiver.enough.wait(), MEDIA_DEADLINE)
        finally:
            relay.cancel()
            await pc.close()
            await ws.close()
    await expect(mentor.locator(".tile[data-peer-id]")).to_have_count(0)
    await mentor_ctx.close()


async def test_without_camera_or_microphone_the_call_still_works(
    browser: Browser, pair: Pair
) -> None:
    mentor_ctx, mentor = await page_as(browser, pair.server, pair.mentor)
    mentee_ctx, mentee = await page_as(browser, pair.server, pair.mentee)
    await mentee_ctx.add_init_script(
        "navigator.mediaDevices.getUserMedia = async () => {"
        " throw new DOMException('denied', 'NotAllowedError'); };"
    )
    await _enter_call(mentor, pair.session_id)
    # (With an init script this Chromium never fires `load`; the DOM is all we need.)
    await mentee.goto(f"/sessions/{pair.session_id}/room", wait_until="domcontentloaded")
    await expect(mentee.get_by_role("status").first).to_contain_text("permission was refused")
    await mentee.get_by_role("button", name="Join the call").click()
    await _media_flows(mentee)  # the mentee still sees and hears the mentor
    await expect(mentee.locator("#mic-button")).to_be_disabled()
    await expect(mentor.locator(".tile[data-peer-id] .media-icons")).to_contain_text("camera off")
    await mentor_ctx.close()
    await mentee_ctx.close()
