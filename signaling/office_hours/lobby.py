"""The lobby of an office-hours room: attendees wait in line until the host admits or declines.

Waiting happens in the room's admission gate, before the `welcome`: a waiting connection is not
in the room, sees nobody and can only be sent messages (`lobby` with its place in line).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from signaling.messages import ClientMessage, PeerId, ProtocolError
from signaling.office_hours.close_codes import OfficeHoursCloseCode
from signaling.peer import CloseCode, Peer
from signaling.rooms import Refused, Room

if TYPE_CHECKING:
    from signaling.office_hours.occurrence import Occurrence

log = logging.getLogger(__name__)


class LobbyAdmit(ClientMessage):
    type: Literal["lobby-admit"]
    peer_id: PeerId


class LobbyAdmitAll(ClientMessage):
    type: Literal["lobby-admit-all"]


class LobbyDecline(ClientMessage):
    type: Literal["lobby-decline"]
    peer_id: PeerId


@dataclass(eq=False)
class Waiter:
    """One connection waiting in line; `decision` is None to admit or the refusal."""

    peer: Peer
    decision: asyncio.Future[Refused | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    told_position: int = 0

    def describe(self) -> dict[str, Any]:
        return {"peer_id": self.peer.peer_id, "user_id": self.peer.user_id, "name": self.peer.name}

    def decide(self, refusal: Refused | None) -> None:
        if not self.decision.done():
            self.decision.set_result(refusal)


class Lobby:
    """The line of one occurrence's waiting connections, first come first served."""

    def __init__(self) -> None:
        self._line: dict[str, Waiter] = {}

    def __iter__(self) -> Iterator[Waiter]:
        return iter(list(self._line.values()))

    def __len__(self) -> int:
        return len(self._line)

    def get(self, peer_id: str) -> Waiter:
        """The waiter with this connection id, or ProtocolError unknown_peer."""
        waiter = self._line.get(peer_id)
        if waiter is None:
            raise ProtocolError("unknown_peer", f"No one is waiting with peer id {peer_id!r}.")
        return waiter

    def enter(self, peer: Peer) -> Waiter:
        """Put `peer` at the end of the line; an older connection of the same user gives way."""
        for old in self:
            if old.peer.user_id == peer.user_id:
                old.decide(
                    Refused(
                        "replaced",
                        "You are waiting from another tab or device.",
                        CloseCode.REPLACED,
                    )
                )
                self.leave(old.peer.peer_id)
        waiter = Waiter(peer)
        self._line[peer.peer_id] = waiter
        return waiter

    def leave(self, peer_id: str) -> bool:
        """Take a connection out of the line; False if it was not in it."""
        return self._line.pop(peer_id, None) is not None

    def announce(self, host: Peer | None) -> None:
        """Tell each waiter whose place changed where it stands, and the host who is waiting."""
        for position, waiter in enumerate(self, start=1):
            if waiter.told_position != position:
                waiter.told_position = position
                waiter.peer.send(
                    {"type": "lobby", "position": position, "host_present": host is not None}
                )
        if host is not None:
            host.send({"type": "lobby-list", "waiting": [w.describe() for w in self]})

    def tell_host_presence(self, host: Peer | None) -> None:
        """Every waiter learns that the host arrived or left (their places stay the same)."""
        for waiter in self:
            waiter.told_position = 0
        self.announce(host)


# --- the host's messages (routed only for the host of an office-hours room) --------------------


def _admit(occurrence: Occurrence, room: Room, waiter: Waiter) -> None:
    if not occurrence.has_place_for(room, waiter.peer.user_id):
        raise ProtocolError(
            "room_full",
            f"The room is full ({occurrence.capacity} attendees); {waiter.peer.name} waits.",
        )
    occurrence.admit(waiter.peer.user_id)
    occurrence.arriving[waiter.peer.peer_id] = waiter.peer.user_id  # holds the place
    occurrence.lobby.leave(waiter.peer.peer_id)
    waiter.decide(None)
    log.info("room %s: peer %s admitted from the lobby", room.session_id, waiter.peer.peer_id)


async def admit(occurrence: Occurrence, room: Room, host: Peer, msg: LobbyAdmit) -> None:
    """Let one waiting attendee in."""
    _admit(occurrence, room, occurrence.lobby.get(msg.peer_id))
    occurrence.lobby.announce(host)


async def admit_all(occurrence: Occurrence, room: Room, host: Peer, msg: LobbyAdmitAll) -> None:
    """Let everyone in, in order, as long as there are places."""
    try:
        for waiter in occurrence.lobby:
            _admit(occurrence, room, waiter)
    finally:
        occurrence.lobby.announce(host)


async def decline(occurrence: Occurrence, room: Room, host: Peer, msg: LobbyDecline) -> None:
    """Turn one waiting attendee away (they may knock again)."""
    waiter = occurrence.lobby.get(msg.peer_id)
    occurrence.lobby.leave(msg.peer_id)
    log.info("room %s: peer %s declined at the lobby", room.session_id, msg.peer_id)
    waiter.decide(
        Refused("declined", "The host did not let you in this time.", OfficeHoursCloseCode.DECLINED)
    )
    occurrence.lobby.announce(host)
