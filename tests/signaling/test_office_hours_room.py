"""Office-hours rooms over the documented protocol, with real aiortc participants answering the SFU.

Covers the lobby, capacity, removal, raised hands, the host's controls and media forwarded by
the server without re-encoding.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiortc import MediaStreamTrack, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from models.office_hours import OfficeHours
from server import keys
from server.app import create_app
from signaling.office_hours import OfficeHoursRooms
from signaling.office_hours.close_codes import OfficeHoursCloseCode
from signaling.office_hours.rooms import OFFICE_HOURS_SERVER_MESSAGES
from signaling.office_hours.sfu_bridge import SfuBridge
from signaling.rooms import RoomRegistry
from tests.conftest import JSON, Client, ClientFactory, MakeClient, signup
from tests.sfu.peers import MovingVideoTrack, new_peer_connection, wait_until
from tests.signaling.conftest import schedule

DOC = Path(__file__).resolve().parents[2] / "docs" / "signaling.md"


class Participant:
    """A browser stand-in: one room socket, and one RTCPeerConnection answering the server."""

    def __init__(self, http: Client, *, publishes: bool = False, answers: bool = True) -> None:
        self.http = http
        self.publishes = publishes
        self.answers = answers
        self.ws: ClientWebSocketResponse | None = None
        self.pc = new_peer_connection()
        self.pc.on("track", self._on_track)
        self.frames: dict[str, int] = defaultdict(int)  # publisher peer id -> video frames
        self.audio_frames: dict[str, int] = defaultdict(int)  # publisher peer id -> audio frames
        self.screen_frames: dict[str, int] = defaultdict(int)  # publisher peer id -> screen frames
        self.screen: MediaStreamTrack | None = None  # shared once an offer has its m-line
        self.subscriptions: list[dict[str, Any]] = []  # as of the last offer answered
        self.mid_owner: dict[str, str] = {}
        self.mid_kind: dict[str, str] = {}
        self.inbox: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self.close_code: int | None = None
        self.closed = asyncio.Event()
        self.peer_id = ""
        self._tasks: list[asyncio.Task[None]] = []

    async def enter(self, session_id: int) -> None:
        """Open the room socket and send `join` (the reply may be a lobby place)."""
        self.ws = await self.http.ws_connect(f"/ws/rooms/{session_id}")
        media = {"mic": True, "camera": True, "screen": self.screen is not None}
        await self.ws.send_json({"type": "join", "media": media})
        self._tasks.append(asyncio.create_task(self._read(self.ws)))

    async def joined(self, session_id: int) -> dict[str, Any]:
        await self.enter(session_id)
        return await self.next("welcome")

    async def next(self, kind: str, wait: float = 5.0) -> dict[str, Any]:
        """The next server message of this type."""
        async with asyncio.timeout(wait):
            return await self.inbox[kind].get()

    def has_pending(self, kind: str) -> bool:
        return not self.inbox[kind].empty()

    async def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_json(message)

    async def error_for(self, message: dict[str, Any]) -> str:
        await self.send(message)
        error = await self.next("error")
        assert error["for"] == message["type"]
        code: str = error["code"]
        return code

    async def refused(self) -> tuple[str, int | None]:
        """The error code and close code a refused connection ends with."""
        error = await self.next("error")
        await asyncio.wait_for(self.closed.wait(), 5)
        return error["code"], self.close_code

    async def _read(self, ws: ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            if data["type"] == "ping":
                await ws.send_json({"type": "pong"})
            elif data["type"] == "welcome":
                self.peer_id = data["peer_id"]
            if data["type"] == "sfu-offer" and self.answers:
                await self._answer(data)
            self.inbox[data["type"]].put_nowait(data)
        self.close_code = ws.close_code
        self.closed.set()

    async def _answer(self, offer: dict[str, Any]) -> None:
        self.subscriptions = offer["subscriptions"]
        for sub in offer["subscriptions"]:
            self.mid_owner[sub["mid"]] = sub["peer_id"]
            self.mid_kind[sub["mid"]] = sub["kind"]
        await self.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        publish_mids = offer["publish_mids"]
        if self.publishes:
            self.publishes = False
            self._attach(publish_mids["audio"], AudioStreamTrack())
            self._attach(publish_mids["video"], MovingVideoTrack())
        if self.screen is not None and publish_mids.get("screen") is not None:
            self._attach(publish_mids["screen"], self.screen)
            self.screen = None
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self.send({"type": "sfu-answer", "sdp": self.pc.localDescription.sdp})

    def _attach(self, mid: str, track: MediaStreamTrack) -> None:
        """Send `track` on the m-line the server named for it, as the browser client does."""
        transceiver = next(t for t in self.pc.getTransceivers() if t.mid == mid)
        transceiver.sender.replaceTrack(track)
        transceiver.direction = "sendonly"

    def _on_track(self, track: MediaStreamTrack) -> None:
        mid = next(t.mid for t in self.pc.getTransceivers() if t.receiver.track is track)
        self._tasks.append(asyncio.create_task(self._count(track, str(mid))))

    async def _count(self, track: MediaStreamTrack, mid: str) -> None:
        by_kind = {"video": self.frames, "audio": self.audio_frames, "screen": self.screen_frames}
        counts = by_kind[self.mid_kind.get(mid, track.kind)]
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()  # decoded
                counts[self.mid_owner.get(mid, "?")] += 1

    async def leave(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        for task in self._tasks:
            task.cancel()
        await self.pc.close()


@dataclass
class OfficeHoursCast:
    session_id: int
    series_id: int
    host: Client
    attendees: list[Client]
    attendee_ids: list[int]


async def office_hours(
    host: Client, make_client: MakeClient, *, attendees: int, admission: str, capacity: int = 5
) -> OfficeHoursCast:
    """A mentor's office hours starting now, with `attendees` registered mentees."""
    await signup(host, "host@example.org", roles=["mentor"], name="Hana Host")
    created = await host.post(
        "/api/v1/office-hours",
        json={
            "title": "Open questions",
            "starts_at": datetime.now(UTC).isoformat(),
            "duration_minutes": 60,
            "capacity": capacity,
            "admission": admission,
        },
    )
    assert created.status == 201, await created.text()
    series = (await created.json())["office_hours"]
    clients, ids = [], []
    for n in range(attendees):
        client = await make_client()
        ids.append((await signup(client, f"a{n}@example.org", name=f"Attendee {n}"))["id"])
        registered = await client.post(
            f"/api/v1/office-hours/{series['id']}/register", headers=JSON
        )
        assert registered.status == 200, await registered.text()
        clients.append(client)
    return OfficeHoursCast(series["session_ids"][0], series["id"], host, clients, ids)


@pytest.fixture
async def people() -> Any:
    """Participants made by a test, closed at its end."""
    made: list[Participant] = []

    def make(http: Client, **options: bool) -> Participant:
        made.append(Participant(http, **options))
        return made[-1]

    yield make
    for participant in made:
        await participant.leave()


def rooms_of(client: Client) -> OfficeHoursRooms:
    return client.app[keys.OFFICE_HOURS_ROOMS]


async def open_room(
    client: Client, make_client: MakeClient, people: Any, *, attendees: int
) -> tuple[OfficeHoursCast, Participant, list[Participant]]:
    """Open office hours with the host and every attendee in, none answering the SFU."""
    cast = await office_hours(client, make_client, attendees=attendees, admission="open")
    host = people(cast.host, answers=False)
    await host.joined(cast.session_id)
    present = []
    for http in cast.attendees:
        attendee = people(http, answers=False)
        await attendee.joined(cast.session_id)
        present.append(attendee)
    return cast, host, present


async def refused_as_removed(http: Client, session_id: int) -> None:
    """A removed attendee is told so before the upgrade, by the room and by the join API."""
    for path in (f"/ws/rooms/{session_id}", f"/api/v1/sessions/{session_id}/join"):
        refused = await http.get(path)
        assert refused.status == 403, path
        assert (await refused.json())["error"]["code"] == "removed"


async def restart(client: Client, aiohttp_client: ClientFactory, *emails: str) -> list[Client]:
    """Restart the server on the same database; a browser logged in for each email."""
    await client.server.close()
    restarted = await aiohttp_client(create_app(client.app[keys.SETTINGS]))
    browsers = []
    for email in emails:
        browser = await aiohttp_client(restarted.server)
        login = {"email": email, "password": "correct horse battery"}
        assert (await browser.post("/api/v1/auth/login", json=login)).status == 200
        browsers.append(browser)
    return browsers


async def test_lobby_waits_for_the_host_who_admits_one_and_declines_another(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    cast = await office_hours(client, make_client, attendees=2, admission="lobby")
    early = people(cast.attendees[0])
    await early.enter(cast.session_id)  # before the host: waits, no way around the lobby
    assert await early.next("lobby") == {"type": "lobby", "position": 1, "host_present": False}
    later = people(cast.attendees[1], publishes=True)
    await later.enter(cast.session_id)
    assert (await later.next("lobby"))["position"] == 2

    host = people(cast.host, publishes=True)
    welcome = await host.joined(cast.session_id)
    assert welcome["peers"] == []
    assert (await host.next("office-hours"))["is_host"] is True
    waiting = (await host.next("lobby-list"))["waiting"]
    assert [(w["user_id"], w["name"]) for w in waiting] == [
        (cast.attendee_ids[0], "Attendee 0"),
        (cast.attendee_ids[1], "Attendee 1"),
    ]
    assert (await early.next("lobby"))["host_present"] is True

    await host.send({"type": "lobby-admit", "peer_id": waiting[1]["peer_id"]})
    admitted = await later.next("welcome")
    assert [p["user_id"] for p in admitted["peers"]] == [welcome["user_id"]]
    assert (await later.next("office-hours"))["is_host"] is False
    assert (await host.next("lobby-list"))["waiting"] == waiting[:1]
    assert not early.has_pending("lobby")  # still first in line: nothing new to say

    await host.send({"type": "lobby-decline", "peer_id": waiting[0]["peer_id"]})
    assert await early.refused() == ("declined", OfficeHoursCloseCode.DECLINED)
    assert (await host.next("lobby-list"))["waiting"] == []

    # The admitted attendee and the host see each other through the server, never re-encoded.
    await wait_until(lambda: later.frames[host.peer_id] > 10 and host.frames[later.peer_id] > 10)
    stats = rooms_of(client).sfu.stats(cast.session_id)
    assert stats is not None and stats.participants == 2
    assert stats.encoder_count == 0 and stats.frames_forwarded > 0

    # Admitted once is admitted for the occurrence: a reconnect walks straight in.
    again = people(cast.attendees[1])
    await again.joined(cast.session_id)
    assert (await host.next("peer-left"))["reason"] == "replaced"


async def test_the_hosts_decisions_hold_after_a_restart(
    client: Client, make_client: MakeClient, people: Any, aiohttp_client: ClientFactory
) -> None:
    cast = await office_hours(client, make_client, attendees=2, admission="lobby")
    host = people(cast.host, answers=False)
    await host.joined(cast.session_id)
    ada, bob = (people(c, answers=False) for c in cast.attendees)
    for attendee in (ada, bob):
        await attendee.enter(cast.session_id)
        await attendee.next("lobby")
    await host.send({"type": "lobby-admit-all"})
    for attendee in (ada, bob):
        await attendee.next("welcome")
    await host.send({"type": "remove", "peer_id": bob.peer_id})
    await bob.next("removed")

    # The server restarts on the same database, and the host is not back yet.
    browsers = await restart(client, aiohttp_client, "a0@example.org", "a1@example.org")
    ada_again = people(browsers[0], answers=False)
    await ada_again.joined(cast.session_id)  # admitted once: no lobby, even without the host
    await refused_as_removed(browsers[1], cast.session_id)


async def test_capacity_counts_attendees_but_not_the_host(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    cast = await office_hours(client, make_client, attendees=2, admission="open", capacity=2)
    async with client.app[keys.DB]() as db:  # the host shrank the room since
        await db.execute(update(OfficeHours).values(capacity=1))
        await db.commit()
    first = people(cast.attendees[0], answers=False)
    await first.joined(cast.session_id)
    second = people(cast.attendees[1], answers=False)
    await second.enter(cast.session_id)
    code, close_code = await second.refused()
    assert (code, close_code) == ("room_full", OfficeHoursCloseCode.ROOM_FULL)
    host = people(cast.host, answers=False)
    assert len((await host.joined(cast.session_id))["peers"]) == 1
    # The same attendee again (a second tab) replaces their connection instead of taking a place.
    await people(cast.attendees[0], answers=False).joined(cast.session_id)


async def test_a_removed_attendee_is_refused_on_rejoin_even_after_a_restart(
    client: Client, make_client: MakeClient, people: Any, aiohttp_client: ClientFactory
) -> None:
    cast, host, (attendee,) = await open_room(client, make_client, people, attendees=1)
    await host.next("peer-joined")

    await host.send({"type": "remove", "peer_id": attendee.peer_id})
    await attendee.next("removed")
    await asyncio.wait_for(attendee.closed.wait(), 5)
    assert attendee.close_code == OfficeHoursCloseCode.REMOVED
    left = await host.next("peer-left")
    assert (left["peer_id"], left["reason"]) == (attendee.peer_id, "removed")

    # Once stored (a moment later), they are refused before the upgrade, by room and join API.
    # (Until then the room itself refuses: see the test where storing fails.)
    await rooms_of(client).registry.drain()
    await refused_as_removed(cast.attendees[0], cast.session_id)

    # The server restarts on the same database: the removal still holds, for this occurrence.
    (browser,) = await restart(client, aiohttp_client, "a0@example.org")
    await refused_as_removed(browser, cast.session_id)


async def test_raised_hands_keep_their_order(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    cast, host, (ada, bob) = await open_room(client, make_client, people, attendees=2)

    async def queue_after(who: Participant, message: dict[str, Any]) -> list[str]:
        await who.send(message)
        queue: list[str] = (await host.next("hands"))["queue"]
        assert (await ada.next("hands"))["queue"] == queue
        return queue

    assert await queue_after(bob, {"type": "hand", "raised": True}) == [bob.peer_id]
    assert await queue_after(ada, {"type": "hand", "raised": True}) == [bob.peer_id, ada.peer_id]
    assert await queue_after(bob, {"type": "hand", "raised": False}) == [ada.peer_id]
    assert await queue_after(bob, {"type": "hand", "raised": True}) == [ada.peer_id, bob.peer_id]
    lower_ada = {"type": "hand-lower", "peer_id": ada.peer_id}
    assert await bob.error_for(lower_ada) == "not_host"
    assert await queue_after(host, lower_ada) == [bob.peer_id]
    assert await queue_after(ada, {"type": "hand", "raised": True}) == [bob.peer_id, ada.peer_id]

    # Bob's page loses its media connection and reconnects (closing with 4000 first): his hand
    # waits for him and he is back in his place.
    assert bob.ws is not None
    await bob.ws.close(code=4000)
    assert (await host.next("peer-left"))["reason"] == "dropped"
    assert (await host.next("hands"))["queue"] == [ada.peer_id]
    back = people(cast.attendees[1], answers=False)
    welcome = await back.joined(cast.session_id)
    assert (await back.next("office-hours"))["hands"] == [welcome["peer_id"], ada.peer_id]
    assert (await host.next("hands"))["queue"] == [welcome["peer_id"], ada.peer_id]

    # Someone who says goodbye lowers their hand for good.
    await back.leave()
    assert (await host.next("hands"))["queue"] == [ada.peer_id]
    again = people(cast.attendees[1], answers=False)
    assert (await again.joined(cast.session_id))["peer_id"]
    assert (await again.next("office-hours"))["hands"] == [ada.peer_id]

    # A hand waits only so long: Ada's connection breaks, and she is back too late.
    rooms_of(client).occurrences[cast.session_id].hands.grace = 0.0
    assert ada.ws is not None and ada.ws._response.connection is not None
    transport = ada.ws._response.connection.transport
    assert transport is not None
    transport.abort()
    assert (await host.next("hands"))["queue"] == []
    late = people(cast.attendees[0], answers=False)
    await late.joined(cast.session_id)
    assert (await late.next("office-hours"))["hands"] == []


async def test_only_the_host_moderates_and_the_targets_are_told(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    cast = await office_hours(client, make_client, attendees=2, admission="lobby")
    host = people(cast.host, answers=False)
    await host.joined(cast.session_id)
    ada, bob = (people(c, answers=False) for c in cast.attendees)
    for attendee in (ada, bob):
        await attendee.enter(cast.session_id)
        await attendee.next("lobby")
        await host.send({"type": "lobby-admit-all"})
        await attendee.next("welcome")

    for kind in ("mute", "stop-camera", "remove", "spotlight", "lobby-admit", "lobby-decline"):
        assert await ada.error_for({"type": kind, "peer_id": bob.peer_id}) == "not_host", kind
    assert await ada.error_for({"type": "lobby-admit-all"}) == "not_host"
    assert not bob.has_pending("muted-by-host") and not bob.has_pending("removed")

    await host.send({"type": "mute", "peer_id": bob.peer_id})
    assert await bob.next("muted-by-host") == {"type": "muted-by-host"}
    await host.send({"type": "stop-camera", "peer_id": bob.peer_id})
    await bob.next("camera-stopped-by-host")
    assert await host.error_for({"type": "mute", "peer_id": "nobody"}) == "unknown_peer"

    await host.send({"type": "spotlight", "peer_id": bob.peer_id})
    assert (await ada.next("spotlight"))["peer_id"] == bob.peer_id
    await bob.leave()
    assert (await ada.next("spotlight"))["peer_id"] is None


async def host_ada_and_bob(
    client: Client, make_client: MakeClient, people: Any
) -> tuple[Participant, Participant, Participant]:
    """A host, Ada, and Bob sending his camera and microphone, which reach Ada."""
    cast = await office_hours(client, make_client, attendees=2, admission="open")
    host = people(cast.host)
    await host.joined(cast.session_id)
    ada = people(cast.attendees[0])
    bob = people(cast.attendees[1], publishes=True)
    await ada.joined(cast.session_id)
    await bob.joined(cast.session_id)
    await wait_until(lambda: ada.frames[bob.peer_id] > 5 and ada.audio_frames[bob.peer_id] > 5)
    return host, ada, bob


async def flowing(counts: dict[str, int], peer_id: str) -> bool:
    """Whether frames from `peer_id` keep arriving: more than 5 in a second (30 at full rate)."""
    before = counts[peer_id]
    await asyncio.sleep(1.0)
    return counts[peer_id] > before + 5


async def stopped(counts: dict[str, int], peer_id: str) -> bool:
    await asyncio.sleep(0.3)  # what was already on its way
    return not await flowing(counts, peer_id)


async def test_the_server_holds_what_the_host_turned_off_until_the_attendee_turns_it_on(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    # Bob's client ignores the host: it keeps sending. The server must stop forwarding anyway.
    host, ada, bob = await host_ada_and_bob(client, make_client, people)
    await host.send({"type": "stop-camera", "peer_id": bob.peer_id})
    await bob.next("camera-stopped-by-host")
    off = {"type": "media", "from": bob.peer_id, "mic": True, "camera": False, "screen": False}
    assert await ada.next("media") == off
    assert await stopped(ada.frames, bob.peer_id)
    assert await flowing(ada.audio_frames, bob.peer_id)

    await host.send({"type": "mute", "peer_id": bob.peer_id})
    await bob.next("muted-by-host")
    assert (await ada.next("media"))["mic"] is False
    assert await stopped(ada.audio_frames, bob.peer_id)

    # Only Bob turns them back on, one at a time.
    await bob.send({"type": "media", "mic": True, "camera": False, "screen": False})
    await ada.next("media")
    assert await flowing(ada.audio_frames, bob.peer_id)
    assert not await flowing(ada.frames, bob.peer_id)
    await bob.send({"type": "media", "mic": True, "camera": True, "screen": False})
    await ada.next("media")
    await wait_until(lambda: ada.frames[bob.peer_id] > 0)
    assert await flowing(ada.frames, bob.peer_id)


async def test_a_screen_share_reaches_everyone_beside_the_camera_until_stopped(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    host, ada, bob = await host_ada_and_bob(client, make_client, people)
    session_id = next(iter(rooms_of(client).occurrences))

    # Bob shares his screen: a second video m-line from him reaches Ada, his camera stays.
    bob.screen = MovingVideoTrack(160, 120)
    await bob.send({"type": "media", "mic": True, "camera": True, "screen": True})
    assert (await ada.next("media"))["screen"] is True
    await wait_until(lambda: ada.screen_frames[bob.peer_id] > 10)
    kinds = sorted(s["kind"] for s in ada.subscriptions if s["peer_id"] == bob.peer_id)
    assert kinds == ["audio", "screen", "video"]
    assert await flowing(ada.frames, bob.peer_id)

    # The host stops Bob's video. His client ignores it, but his camera stops reaching anyone
    # and his screen share ends: Ada's m-line for it goes away.
    await host.send({"type": "stop-camera", "peer_id": bob.peer_id})
    await bob.next("camera-stopped-by-host")
    await wait_until(lambda: all(s["kind"] != "screen" for s in ada.subscriptions))
    assert await stopped(ada.frames, bob.peer_id)

    # Only Bob can share again, and his camera comes back when he turns it on.
    await bob.send({"type": "media", "mic": True, "camera": True, "screen": True})
    await wait_until(lambda: any(s["kind"] == "screen" for s in ada.subscriptions))
    assert await flowing(ada.screen_frames, bob.peer_id)
    assert await flowing(ada.frames, bob.peer_id)

    # Bob's page reconnects mid-share: it joins sharing, and the first offer has the screen.
    bobs_browser = bob.http
    await bob.leave()
    bob = people(bobs_browser, publishes=True)
    bob.screen = MovingVideoTrack(160, 120)
    await bob.joined(session_id)
    offer = await bob.next("sfu-offer")
    assert offer["publish_mids"].get("screen") is not None
    await wait_until(lambda: ada.screen_frames[bob.peer_id] > 10)


async def test_a_removal_the_database_cannot_store_still_removes_and_the_host_stays(
    client: Client, make_client: MakeClient, people: Any, engine: AsyncEngine
) -> None:
    cast, host, (attendee,) = await open_room(client, make_client, people, attendees=1)
    # Storing the removal will fail: the table is not where the app looks. (A rename locks only
    # this table; dropping it would also lock sessions and users, which the app is writing.)
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE office_hours_decisions RENAME TO decisions_gone"))

    await host.send({"type": "remove", "peer_id": attendee.peer_id})
    assert await attendee.next("removed") == {"type": "removed"}
    assert (await host.next("peer-left"))["reason"] == "removed"
    back = people(cast.attendees[0], answers=False)
    await back.enter(cast.session_id)
    assert await back.refused() == ("removed", OfficeHoursCloseCode.REMOVED)
    await host.send({"type": "hand", "raised": True})  # the host's connection goes on
    assert (await host.next("hands"))["queue"] == [host.peer_id]


async def test_an_unusable_answer_closes_the_connection_to_start_afresh(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    cast, host, _ = await open_room(client, make_client, people, attendees=0)
    offer = await host.next("sfu-offer")
    assert offer["publish_mids"] == {"audio": "0", "video": "1"} and offer["subscriptions"] == []
    await host.send({"type": "sfu-answer", "sdp": "v=0\r\nnot an answer\r\n"})
    assert await host.refused() == ("media_failed", OfficeHoursCloseCode.MEDIA_FAILED)
    assert rooms_of(client).sfu.stats(cast.session_id) is None  # the room emptied


async def test_office_hours_messages_are_refused_in_other_rooms(
    client: Client, make_client: MakeClient, people: Any
) -> None:
    await signup(client, "mentor@example.org", roles=["mentor"])
    guest = await make_client()
    guest_id = (await signup(guest, "guest@example.org"))["id"]
    mentor = people(client)
    await mentor.joined(await schedule(client, guest_id))
    assert await mentor.error_for({"type": "hand", "raised": True}) == "not_office_hours"
    assert await mentor.error_for({"type": "sfu-answer", "sdp": "v=0"}) == "not_office_hours"


class NoOccurrences:
    async def load(self, session_id: int) -> None:
        return None

    async def record_decision(self, session_id: int, user_id: int, decision: object) -> None:
        raise AssertionError("nobody is admitted or removed here")


def test_every_office_hours_message_type_is_documented() -> None:
    registry = RoomRegistry()
    OfficeHoursRooms(registry, NoOccurrences(), SfuBridge()).attach()
    types = set(registry.message_types) | set(OFFICE_HOURS_SERVER_MESSAGES)
    doc = DOC.read_text()
    missing = sorted(t for t in types if f"| `{t}`" not in doc)
    assert not missing, f"docs/signaling.md does not describe: {missing}"
