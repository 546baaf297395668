"""Office-hours media through the server: one SFU `Conference` per live room, signaled in it.

The server makes every offer (`sfu-offer`) and each client answers it (`sfu-answer`) on its one
RTCPeerConnection to the server. Answers carry their ICE candidates: aiortc does not trickle.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from aiortc import RTCIceServer, RTCSessionDescription

from signaling.messages import ClientMessage, IceCandidate, ProtocolError, Sdp, error
from signaling.office_hours.close_codes import OfficeHoursCloseCode
from signaling.peer import Peer
from signaling.rooms import Room
from signaling.sfu import Conference, Negotiate, SfuStats
from signaling.sfu.layers import PAUSED, TOP_LAYER

ReceptionListener = Callable[[Room, str, str], None]
"""(room, peer id, "full" | "reduced" | "paused"): how well a peer receives others' video."""

log = logging.getLogger(__name__)


class SfuAnswer(ClientMessage):
    type: Literal["sfu-answer"]
    sdp: Sdp


class SfuCandidate(ClientMessage):
    type: Literal["sfu-candidate"]
    candidate: IceCandidate | None


@dataclass(eq=False)
class _Member:
    """A peer of an office-hours room as the SFU sees it."""

    room: Room
    peer: Peer
    answer: asyncio.Future[RTCSessionDescription] | None = None
    reception: str = "full"


class SfuBridge:
    """The conferences of every live office-hours room, and their `sfu-*` messages."""

    def __init__(
        self,
        ice_servers: list[RTCIceServer] | None = None,
        *,
        answer_timeout: float = 10.0,
        last_n: int | None = None,
    ) -> None:
        self.conferences: dict[int, Conference] = {}
        self._last_n = last_n
        self._ice_servers = ice_servers or []
        self._answer_timeout = answer_timeout
        self._members: dict[str, _Member] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.on_reception: ReceptionListener | None = None

    def stats(self, session_id: int) -> SfuStats | None:
        """The SFU counters of a live room (None when nobody is in it)."""
        conference = self.conferences.get(session_id)
        return conference.stats() if conference is not None else None

    def join(self, room: Room, peer: Peer) -> None:
        """Connect `peer` to its room's conference (the first one in creates it).

        Runs in the background: the first offer's answer arrives through the peer's receive loop,
        which starts only after the room's join listeners have returned.
        """
        conference = self.conferences.get(room.session_id)
        if conference is None:
            conference = Conference(
                self._negotiator(room.session_id),
                ice_servers=self._ice_servers,
                negotiation_timeout=self._answer_timeout + 5,
                on_layer_change=self._layer_listener(room.session_id),
                last_n=self._last_n,
            )
            self.conferences[room.session_id] = conference
        member = _Member(room, peer)
        self._members[peer.peer_id] = member
        self._spawn(self._connect(conference, member))

    def pin(self, room: Room, peer_id: str, is_pinned: bool = True) -> None:
        """Forward this peer's camera to everyone whatever last-N says (host, spotlight)."""
        conference = self.conferences.get(room.session_id)
        if conference is not None:
            conference.pin(peer_id, is_pinned)

    def hold(self, room: Room, peer: Peer, track: str) -> None:
        """Stop forwarding `peer`'s "audio", "video" or "screen" to the room (the host muted it)."""
        conference = self.conferences.get(room.session_id)
        if conference is not None:
            conference.hold(peer.peer_id, track)

    def release(self, room: Room, peer: Peer, track: str) -> None:
        """Forward `peer`'s "audio", "video" or "screen" again."""
        conference = self.conferences.get(room.session_id)
        if conference is not None:
            conference.release(peer.peer_id, track)

    def set_screen_sharing(self, room: Room, peer: Peer, is_sharing: bool) -> None:
        """Start or stop forwarding `peer`'s screen share, beside their camera."""
        conference = self.conferences.get(room.session_id)
        if conference is None:
            return
        if is_sharing:
            conference.share_screen(peer.peer_id)
        else:
            conference.stop_screen(peer.peer_id)

    async def leave(self, room: Room, peer: Peer) -> None:
        """Disconnect `peer`; the last one out closes the conference."""
        member = self._members.pop(peer.peer_id, None)
        if member is None:
            return
        if member.answer is not None:
            member.answer.cancel()
        conference = self.conferences.get(room.session_id)
        if conference is None:
            return
        if not room.peers:
            # Forget it before closing, so a newcomer meanwhile starts a fresh conference.
            del self.conferences[room.session_id]
            await conference.close()
            log.info("room %s: conference closed", room.session_id)
        else:
            await conference.remove_participant(peer.peer_id)

    async def close(self) -> None:
        """Close every conference and its connections (at shutdown); safe to call twice."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        conferences = list(self.conferences.values())
        self.conferences.clear()
        self._members.clear()
        for conference in conferences:
            await conference.close()

    # --- adaptation -------------------------------------------------------------------------------

    def _layer_listener(self, session_id: int) -> Callable[[str, str, int], None]:
        def changed(subscriber_id: str, publisher_id: str, layer: int) -> None:
            member = self._members.get(subscriber_id)
            conference = self.conferences.get(session_id)
            if member is None or conference is None:
                return
            member.peer.send(
                {
                    "type": "video-layer",
                    "peer_id": publisher_id,
                    "layer": max(layer, 0),
                    "paused": layer == PAUSED,
                }
            )
            lowest = conference.video_layer(subscriber_id)
            reception = (
                "paused"
                if lowest == PAUSED
                else "reduced"
                if lowest is not None and lowest < TOP_LAYER
                else "full"
            )
            if reception != member.reception:
                member.reception = reception
                if self.on_reception is not None:
                    self.on_reception(member.room, subscriber_id, reception)

        return changed

    # --- negotiation ------------------------------------------------------------------------------

    async def _connect(self, conference: Conference, member: _Member) -> None:
        peer = member.peer
        try:
            pc = await conference.add_participant(peer.peer_id)
        except (Exception, asyncio.CancelledError) as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            self._drop(member, f"media not connected: {exc!r}")
            return

        def on_state() -> None:
            # The conference closes a connection that failed or could not renegotiate; the
            # client can only start afresh, on a new room connection.
            if pc.connectionState in ("failed", "closed"):
                self._drop(member, f"media connection {pc.connectionState}")

        pc.on("connectionstatechange", on_state)

    def _drop(self, member: _Member, why: str) -> None:
        """Close a peer whose media connection is gone (unless it already left)."""
        if self._members.get(member.peer.peer_id) is not member:
            return
        log.warning("room %s: peer %s: %s", member.room.session_id, member.peer.peer_id, why)
        member.peer.send(
            error("media_failed", "The media connection could not be set up or was lost.")
        )
        member.peer.close(OfficeHoursCloseCode.MEDIA_FAILED, "media connection failed")

    def _negotiator(self, session_id: int) -> Negotiate:
        async def negotiate(
            participant_id: str, offer: RTCSessionDescription
        ) -> RTCSessionDescription:
            member = self._members.get(participant_id)
            conference = self.conferences.get(session_id)
            if member is None or conference is None:
                raise ConnectionError(f"peer {participant_id} has left")
            answer: asyncio.Future[RTCSessionDescription] = (
                asyncio.get_running_loop().create_future()
            )
            member.answer = answer
            member.peer.send(self._offer_message(member, conference, offer))
            try:
                return await asyncio.wait_for(answer, self._answer_timeout)
            except TimeoutError:
                self._drop(member, "no sfu-answer in time")
                raise
            finally:
                member.answer = None

        return negotiate

    def _offer_message(
        self, member: _Member, conference: Conference, offer: RTCSessionDescription
    ) -> dict[str, Any]:
        peers = member.room.peers
        return {
            "type": "sfu-offer",
            "sdp": offer.sdp,
            "publish_mids": conference.publish_mids(member.peer.peer_id),
            "subscriptions": [
                {
                    "mid": sub.mid,
                    "peer_id": sub.publisher_id,
                    "user_id": peers[sub.publisher_id].user_id
                    if sub.publisher_id in peers
                    else None,
                    "kind": sub.kind,
                }
                for sub in conference.subscriptions(member.peer.peer_id)
            ],
        }

    async def on_answer(self, room: Room, peer: Peer, msg: SfuAnswer) -> None:
        """The client's `sfu-answer` to its pending offer."""
        member = self._members.get(peer.peer_id)
        if member is None or member.answer is None or member.answer.done():
            raise ProtocolError("no_offer", "There is no sfu-offer waiting for an answer.")
        member.answer.set_result(RTCSessionDescription(sdp=msg.sdp, type="answer"))

    async def on_candidate(self, room: Room, peer: Peer, msg: SfuCandidate) -> None:
        """`sfu-candidate`: the server takes no trickled candidates."""
        raise ProtocolError(
            "trickle_unsupported",
            "The server does not take trickled candidates: put them in the sfu-answer.",
        )

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
