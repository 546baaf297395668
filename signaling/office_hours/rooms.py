"""Office-hours rooms on the room registry: the admission gate, join/leave listeners, routing.

Sessions of kind office_hours get: a lobby (admission "lobby"), a capacity, removal for the rest
of the occurrence, raised hands, the host's controls and media through the server's SFU. Other
rooms pass the gate at once and refuse these messages with `not_office_hours`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from pydantic import BaseModel

from models.base import utcnow
from models.office_hours import Decision
from signaling import messages as m
from signaling.office_hours import lobby, moderation
from signaling.office_hours.close_codes import OfficeHoursCloseCode
from signaling.office_hours.occurrence import Occurrence
from signaling.office_hours.sfu_bridge import SfuAnswer, SfuBridge, SfuCandidate
from signaling.peer import CloseCode, Peer
from signaling.rooms import Refused, Room, RoomRegistry, announce_media, relay_negotiation

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
OfficeHoursHandler = Callable[[Occurrence, Room, Peer, M], Awaitable[None]]

OTHER_ROOMS_REMEMBERED = 10_000

# Server-to-client types added by office-hours rooms (documented in docs/signaling.md).
OFFICE_HOURS_SERVER_MESSAGES = (
    "office-hours",
    "sfu-offer",
    "lobby",
    "lobby-list",
    "hands",
    "spotlight",
    "muted-by-host",
    "camera-stopped-by-host",
    "removed",
    "video-layer",
    "reception",
)


class OccurrenceStore(Protocol):
    """What outlives the process: each occurrence's settings and the host's decisions in it."""

    async def load(self, session_id: int) -> Occurrence | None:
        """The occurrence behind a session id, or None if the session is not office hours."""

    async def record_decision(self, session_id: int, user_id: int, decision: Decision) -> None:
        """Remember that the host admitted or removed this user, for this occurrence."""


class OfficeHoursRooms:
    """The live occurrences of one app instance and everything they add to their rooms."""

    def __init__(self, registry: RoomRegistry, store: OccurrenceStore, sfu: SfuBridge) -> None:
        self.registry = registry
        self.sfu = sfu
        self.occurrences: dict[int, Occurrence] = {}
        self._store = store
        # Sessions known not to be office hours (a kind never changes): no query on their joins.
        self._other_rooms: set[int] = set()

    def attach(self) -> None:
        """Install the gate, the join/leave listeners and every office-hours message handler."""
        registry = self.registry
        registry.set_gate(self.gate)
        registry.on_join(self._joined)
        registry.on_leave(self._left)
        self._route(
            "sfu-answer", SfuAnswer, lambda _, room, peer, msg: self.sfu.on_answer(room, peer, msg)
        )
        self._route(
            "sfu-candidate",
            SfuCandidate,
            lambda _, room, peer, msg: self.sfu.on_candidate(room, peer, msg),
        )
        registry.register_handler("offer", m.Offer, self._peer_to_peer, replace=True)
        registry.register_handler("answer", m.Answer, self._peer_to_peer, replace=True)
        registry.register_handler("candidate", m.Candidate, self._peer_to_peer, replace=True)
        self.sfu.on_reception = self._reception
        self._route("lobby-admit", lobby.LobbyAdmit, lobby.admit, is_for_host=True)
        self._route("lobby-admit-all", lobby.LobbyAdmitAll, lobby.admit_all, is_for_host=True)
        self._route("lobby-decline", lobby.LobbyDecline, lobby.decline, is_for_host=True)
        self._route("hand", moderation.Hand, moderation.hand)
        self._route("hand-lower", moderation.HandLower, moderation.lower_hand, is_for_host=True)
        mute = moderation.switcher("audio", self._hold)
        self._route("mute", moderation.Mute, mute, is_for_host=True)
        stop_camera = moderation.switcher("video", self._hold)
        self._route("stop-camera", moderation.StopCamera, stop_camera, is_for_host=True)
        registry.register_handler("media", m.Media, self._media, replace=True)
        self._route("spotlight", moderation.Spotlight, self._spotlight, is_for_host=True)
        remove = moderation.remover(lambda room, peer, why: registry.leave(room, peer, reason=why))
        self._route("remove", moderation.Remove, remove, is_for_host=True)

    def _route(
        self,
        kind: str,
        model: type[M],
        handler: OfficeHoursHandler[M],
        *,
        is_for_host: bool = False,
    ) -> None:
        async def route(room: Room, peer: Peer, msg: M) -> None:
            occurrence = self.occurrences.get(room.session_id)
            if occurrence is None:
                raise m.ProtocolError("not_office_hours", f"{kind!r} is for office-hours rooms.")
            if is_for_host and not occurrence.is_host(peer):
                raise m.ProtocolError("not_host", "Only the host can do that.")
            await handler(occurrence, room, peer, msg)

        self.registry.register_handler(kind, model, route)

    def _recorder(self, session_id: int) -> Callable[[int, Decision], object]:
        """Store an occurrence's decisions in the background (shutdown waits for them), one at a
        time and in order, so that admitting then removing someone ends up removed."""
        in_order = asyncio.Lock()  # its waiters queue first come, first served

        async def store(user_id: int, decision: Decision) -> None:
            async with in_order:
                try:
                    await self._store.record_decision(session_id, user_id, decision)
                except Exception:  # it still holds until this process stops
                    log.exception("room %s: %s user %s not stored", session_id, decision, user_id)

        return lambda user_id, decision: self.registry.track(store(user_id, decision))

    # --- admission ----------------------------------------------------------------------------

    async def gate(self, session_id: int, peer: Peer, join: m.Join) -> None:
        """Admit `peer` to an office-hours room, after the lobby if there is one; Refused if not."""
        occurrence = await self._occurrence(session_id)
        if occurrence is None or occurrence.is_host(peer):
            return
        room = self.registry.room(session_id)
        if peer.user_id in occurrence.removed:
            raise Refused(
                "removed", "The host removed you from this session.", OfficeHoursCloseCode.REMOVED
            )
        if not occurrence.has_place_for(room, peer.user_id):
            raise Refused(
                "room_full",
                f"The room is full ({occurrence.capacity} attendees). Try again later.",
                OfficeHoursCloseCode.ROOM_FULL,
            )
        if occurrence.is_lobby and peer.user_id not in occurrence.admitted:
            await self._wait_in_lobby(occurrence, peer)
        else:
            occurrence.arriving[peer.peer_id] = peer.user_id

    async def _wait_in_lobby(self, occurrence: Occurrence, peer: Peer) -> None:
        """Wait until the host decides; cancelled if the waiting client goes away."""
        waiter = occurrence.lobby.enter(peer)
        log.info("room %s: peer %s waits in the lobby", occurrence.session_id, peer.peer_id)
        occurrence.lobby.announce(self._host_in(occurrence))
        try:
            refusal = await waiter.decision
        except asyncio.CancelledError:  # gone while waiting, perhaps just after being let in
            occurrence.arriving.pop(peer.peer_id, None)
            raise
        finally:
            if occurrence.lobby.leave(peer.peer_id):  # gone from the lobby without a decision
                occurrence.lobby.announce(self._host_in(occurrence))
        if refusal is not None:
            raise refusal

    async def _occurrence(self, session_id: int) -> Occurrence | None:
        occurrence = self.occurrences.get(session_id)
        if occurrence is not None or session_id in self._other_rooms:
            return occurrence
        self._forget_ended()
        loaded = await self._store.load(session_id)
        if loaded is not None:
            loaded.record = self._recorder(session_id)
        if loaded is None:
            if len(self._other_rooms) >= OTHER_ROOMS_REMEMBERED:
                self._other_rooms.clear()
            self._other_rooms.add(session_id)
            return None
        return self.occurrences.setdefault(session_id, loaded)

    def _forget_ended(self) -> None:
        """Drop occurrences that are over and empty (their removals no longer matter)."""
        now = utcnow()
        for session_id, occurrence in list(self.occurrences.items()):
            if (
                occurrence.ends_at <= now
                and self.registry.room(session_id) is None
                and not len(occurrence.lobby)
            ):
                del self.occurrences[session_id]

    def _host_in(self, occurrence: Occurrence) -> Peer | None:
        room = self.registry.room(occurrence.session_id)
        return room.peer_of_user(occurrence.host_id) if room is not None else None

    async def _spotlight(
        self, occurrence: Occurrence, room: Room, host: Peer, msg: moderation.Spotlight
    ) -> None:
        """Spotlight someone; their camera then reaches everyone whatever last-N says."""
        previous = occurrence.spotlight
        await moderation.spotlight(occurrence, room, host, msg)
        if previous is not None and previous != occurrence.spotlight:
            self.sfu.pin(room, previous, False)
        if occurrence.spotlight is not None:
            self.sfu.pin(room, occurrence.spotlight)

    def _reception(self, room: Room, peer_id: str, reception: str) -> None:
        """Tell the host who receives reduced or paused video, so they know who struggles."""
        occurrence = self.occurrences.get(room.session_id)
        host = self._host_in(occurrence) if occurrence is not None else None
        if host is not None and host.peer_id != peer_id:
            host.send({"type": "reception", "peer_id": peer_id, "video": reception})

    def _hold(self, room: Room, peer: Peer, track: str) -> None:
        """The host turned a track off: forward none of it; a screen share stops altogether."""
        self.sfu.hold(room, peer, track)
        if track == "screen":
            self.sfu.set_screen_sharing(room, peer, False)

    async def _peer_to_peer(
        self, room: Room, peer: Peer, msg: m.Offer | m.Answer | m.Candidate
    ) -> None:
        """Relay peer-to-peer negotiation, except in office hours: their media goes through the
        server, and a client that negotiates with another would only fail."""
        if room.session_id in self.occurrences:
            raise m.ProtocolError(
                "sfu_only", "Office-hours media goes through the server: answer its sfu-offer."
            )
        await relay_negotiation(room, peer, msg)

    async def _media(self, room: Room, peer: Peer, msg: m.Media) -> None:
        """Announce a peer's devices, start or stop forwarding its screen share, and forward
        again what it turned back on after the host had turned it off."""
        await announce_media(room, peer, msg)
        if room.session_id not in self.occurrences:
            return
        for track, is_on in (("audio", msg.mic), ("video", msg.camera), ("screen", msg.screen)):
            if is_on:
                self.sfu.release(room, peer, track)
        self.sfu.set_screen_sharing(room, peer, msg.screen)

    # --- listeners ----------------------------------------------------------------------------

    async def _joined(self, room: Room, peer: Peer) -> None:
        occurrence = self.occurrences.get(room.session_id)
        if occurrence is None:
            return
        occurrence.arriving.pop(peer.peer_id, None)
        has_hand_up = occurrence.hands.come_back(peer.user_id)  # back after a dropped connection
        peer.send(
            {
                "type": "office-hours",
                "host_user_id": occurrence.host_id,
                "is_host": occurrence.is_host(peer),
                "capacity": occurrence.capacity,
                "admission": occurrence.admission.value,
                "hands": occurrence.hands_message(room)["queue"],
                "spotlight": occurrence.spotlight,
            }
        )
        if occurrence.is_host(peer):
            occurrence.lobby.tell_host_presence(peer)
        if has_hand_up:
            room.broadcast(occurrence.hands_message(room), exclude=peer)
        self.sfu.join(room, peer)
        if occurrence.is_host(peer) or occurrence.spotlight == peer.peer_id:
            self.sfu.pin(room, peer.peer_id)
        if peer.media.screen:  # back while sharing: the first offer has the screen's m-line
            self.sfu.set_screen_sharing(room, peer, True)

    async def _left(self, room: Room, peer: Peer, reason: str) -> None:
        occurrence = self.occurrences.get(room.session_id)
        if occurrence is None:
            return
        occurrence.arriving.pop(peer.peer_id, None)
        moderation.forget(occurrence, room, peer, reason)
        if occurrence.is_host(peer) and room.peer_of_user(peer.user_id) is None:
            occurrence.lobby.tell_host_presence(None)
        await self.sfu.leave(room, peer)

    async def close(self) -> None:
        """At shutdown: send waiting clients away and close every conference."""
        for occurrence in self.occurrences.values():
            for waiter in occurrence.lobby:
                waiter.peer.close(CloseCode.GOING_AWAY, "server shutdown")
        await self.sfu.close()
