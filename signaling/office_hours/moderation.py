"""Raised hands and the host's controls in an office-hours room.

The host can mute someone or stop their video, but never turns anyone's media on. The server
stops forwarding the target's audio (or video, screen share included) at once, whatever their
client does, and announces them as off; `muted-by-host` / `camera-stopped-by-host` tell the
target's own client, which switches its device off. Forwarding resumes only when the target
announces that device on again with `media`: turning it back on is theirs alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Literal

from signaling.messages import ClientMessage, PeerId, ProtocolError
from signaling.office_hours.close_codes import OfficeHoursCloseCode
from signaling.office_hours.occurrence import Occurrence
from signaling.peer import Peer
from signaling.rooms import Room, media_message

log = logging.getLogger(__name__)

Leave = Callable[[Room, Peer, str], Awaitable[bool]]
Hold = Callable[[Room, Peer, str], None]
"""Stop forwarding a peer's "audio" or "video" (the SFU's side of a host's mute)."""


class Hand(ClientMessage):
    type: Literal["hand"]
    raised: bool


class HandLower(ClientMessage):
    type: Literal["hand-lower"]
    peer_id: PeerId


class Mute(ClientMessage):
    type: Literal["mute"]
    peer_id: PeerId


class StopCamera(ClientMessage):
    type: Literal["stop-camera"]
    peer_id: PeerId


class Remove(ClientMessage):
    type: Literal["remove"]
    peer_id: PeerId


class Spotlight(ClientMessage):
    type: Literal["spotlight"]
    peer_id: PeerId | None


async def hand(occurrence: Occurrence, room: Room, peer: Peer, msg: Hand) -> None:
    """Raise or lower one's own hand; the queue keeps the order hands went up."""
    hands = occurrence.hands
    if hands.raise_hand(peer.user_id) if msg.raised else hands.lower(peer.user_id):
        room.broadcast(occurrence.hands_message(room))


async def lower_hand(occurrence: Occurrence, room: Room, host: Peer, msg: HandLower) -> None:
    """The host lowers someone's hand (after answering them, say)."""
    if occurrence.hands.lower(room.peer(msg.peer_id).user_id):
        room.broadcast(occurrence.hands_message(room))


# What the host turns off: the notice to the target, the tracks held, the devices announced off.
_SWITCHED_OFF = {
    "audio": ("muted-by-host", ("audio",), {"mic": False}),
    "video": ("camera-stopped-by-host", ("video", "screen"), {"camera": False, "screen": False}),
}


def switcher(
    kind: Literal["audio", "video"], hold: Hold
) -> Callable[[Occurrence, Room, Peer, Mute | StopCamera], Awaitable[None]]:
    """The `mute` (audio) or `stop-camera` (video) handler: held by the server, then announced."""
    notice, tracks, off = _SWITCHED_OFF[kind]

    async def switch_off(
        occurrence: Occurrence, room: Room, host: Peer, msg: Mute | StopCamera
    ) -> None:
        target = room.peer(msg.peer_id)
        for track in tracks:
            hold(room, target, track)
        target.media = target.media.model_copy(update=off)
        room.broadcast(media_message(target), exclude=target)
        target.send({"type": notice})

    return switch_off


async def spotlight(occurrence: Occurrence, room: Room, host: Peer, msg: Spotlight) -> None:
    """Show one peer large for everyone (null: back to the host)."""
    if msg.peer_id is not None:
        room.peer(msg.peer_id)
    occurrence.spotlight = msg.peer_id
    room.broadcast({"type": "spotlight", "peer_id": msg.peer_id})


def remover(leave: Leave) -> Callable[[Occurrence, Room, Peer, Remove], Awaitable[None]]:
    """The `remove` handler, leaving the room through `leave` so others see reason `removed`.

    The target is out at once; the occurrence records the removal (in the background: a slow
    or failing database must not keep them in), so a restart keeps them out.
    """

    async def remove(occurrence: Occurrence, room: Room, host: Peer, msg: Remove) -> None:
        target = room.peer(msg.peer_id)
        if occurrence.is_host(target):
            raise ProtocolError("invalid_target", "The host cannot remove themselves.")
        log.info(
            "room %s: host removed peer %s (user %s)",
            room.session_id,
            target.peer_id,
            target.user_id,
        )
        occurrence.remove(target.user_id)
        target.send({"type": "removed"})
        target.close(OfficeHoursCloseCode.REMOVED, "removed by the host")
        await leave(room, target, "removed")

    return remove


def forget(occurrence: Occurrence, room: Room, peer: Peer, reason: str) -> None:
    """A peer left: its spotlight goes with it, and its raised hand too unless its connection
    dropped or was replaced (then the hand waits a while for the user to come back)."""
    if peer.user_id in occurrence.hands:
        if reason in ("dropped", "replaced"):
            occurrence.hands.step_away(peer.user_id)
        else:
            occurrence.hands.lower(peer.user_id)
        room.broadcast(occurrence.hands_message(room))  # without them, for now or for good
    if occurrence.spotlight == peer.peer_id:
        occurrence.spotlight = None
        room.broadcast({"type": "spotlight", "peer_id": None})
