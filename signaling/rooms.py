"""Live rooms: who is in each session's call, and the dispatch table for their messages.

No transport code here: a room talks to its peers only through `Peer.send` and `Peer.close`.
Other features (live notes, the SFU) plug in with `RoomRegistry.register_handler` for their own
message types and `on_join`/`on_leave` listeners, and reach everyone with `Room.broadcast`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from models.base import utcnow
from signaling import messages as m
from signaling.peer import CloseCode, Peer

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
MessageHandler = Callable[["Room", Peer, Any], Awaitable[None]]
RoomListener = Callable[["Room", Peer], Awaitable[None]]
LeaveListener = Callable[["Room", Peer, str], Awaitable[None]]
"""Called with the room, the peer and why it left ("left", "dropped", "replaced", ...)."""


class Refused(Exception):
    """A gate's refusal: the peer gets an `error` with `code`, then is closed with `close_code`."""

    def __init__(self, code: str, message: str, close_code: int = CloseCode.REFUSED) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close_code = close_code


Gate = Callable[[int, Peer, m.Join], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    """How one message type is validated and handled."""

    model: type[BaseModel]
    handler: MessageHandler


@dataclass(eq=False)
class Room:
    """The live call of one mentoring session."""

    session_id: int
    peers: dict[str, Peer] = field(default_factory=dict)
    # Per-room state of plug-in features, keyed by feature name (e.g. "notes", "sfu").
    extensions: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Peer]:
        return iter(list(self.peers.values()))

    def peer_of_user(self, user_id: int) -> Peer | None:
        """The user's current connection, if any."""
        return next((p for p in self.peers.values() if p.user_id == user_id), None)

    def broadcast(self, message: dict[str, Any], *, exclude: Peer | None = None) -> None:
        """Send `message` to every peer but `exclude`, encoded once."""
        frame = m.encode(message)
        for peer in self:
            if peer is not exclude:
                peer.send_frame(frame)

    def peer(self, peer_id: str) -> Peer:
        """The peer with this id, or ProtocolError unknown_peer if it is not in the room."""
        target = self.peers.get(peer_id)
        if target is None:
            raise m.ProtocolError("unknown_peer", f"No peer {peer_id!r} in this room.")
        return target

    def send_to(self, peer_id: str, message: dict[str, Any]) -> None:
        """Send `message` to one peer, or raise ProtocolError if it is not in the room."""
        self.peer(peer_id).send(message)


class RoomRegistry:
    """Every live room of one app instance, and the message dispatch table they share."""

    def __init__(self, *, is_call: bool = True, one_connection_per_user: bool = True) -> None:
        """A call registry relays media negotiation; a notes-only one carries just what is
        registered on it, and may let one user stay connected from several tabs."""
        self.one_connection_per_user = one_connection_per_user
        self.rooms: dict[int, Room] = {}
        self._routes: dict[str, Route] = {}
        self._on_join: list[RoomListener] = []
        self._on_leave: list[LeaveListener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.gate: Gate | None = None
        if is_call:
            self.register_handler("offer", m.Offer, relay_negotiation)
            self.register_handler("answer", m.Answer, relay_negotiation)
            self.register_handler("candidate", m.Candidate, relay_negotiation)
            self.register_handler("media", m.Media, announce_media)
            self.register_handler("chat", m.Chat, _chat)
        self.register_handler("ping", m.Ping, _ping)
        self.register_handler("pong", m.Pong, _ignore)

    # --- extension points ---------------------------------------------------------------------

    def register_handler(
        self,
        kind: str,
        model: type[M],
        handler: Callable[[Room, Peer, M], Awaitable[None]],
        *,
        replace: bool = False,
    ) -> None:
        """Handle messages of type `kind`, validated by `model`, with `handler(room, peer, msg)`.

        The handler may raise ProtocolError to answer the sender with an `error`. `replace=True`
        overrides a built-in handler (e.g. an SFU taking over offers).
        """
        if kind in self._routes and not replace:
            raise ValueError(f"a handler for {kind!r} is already registered")
        if kind in ("join", "leave"):
            raise ValueError(f"{kind!r} is part of the connection's life, not a room message")
        self._routes[kind] = Route(model, handler)

    def set_gate(self, gate: Gate) -> None:
        """Decide whether a peer may enter before it joins: `gate(session_id, peer, join)`.

        The gate may wait (a lobby) and may `peer.send` meanwhile; raising Refused keeps the peer
        out. It is cancelled if the peer goes away while waiting.
        """
        if self.gate is not None:
            raise ValueError("a gate is already set")
        self.gate = gate

    def on_join(self, listener: RoomListener) -> None:
        """Call `listener(room, peer)` after a peer has joined (and been announced)."""
        self._on_join.append(listener)

    def on_leave(self, listener: LeaveListener) -> None:
        """Call `listener(room, peer, reason)` after a peer has left (and its leaving been
        announced)."""
        self._on_leave.append(listener)

    @property
    def message_types(self) -> list[str]:
        """Every message type a client may send once joined."""
        return sorted(self._routes)

    # --- the life of a peer -------------------------------------------------------------------

    def room(self, session_id: int) -> Room | None:
        """The live room of a session, if anyone is in it."""
        return self.rooms.get(session_id)

    async def join(self, session_id: int, peer: Peer) -> Room:
        """Add `peer`, replacing the same user's older connection; send welcome and peer-joined."""
        room = self.rooms.setdefault(session_id, Room(session_id))
        old = room.peer_of_user(peer.user_id) if self.one_connection_per_user else None
        if old is not None:
            log.info("room %s: peer %s replaced by %s", session_id, old.peer_id, peer.peer_id)
            old.send({"type": "replaced", "by": peer.peer_id})
            old.close(CloseCode.REPLACED, "replaced by a newer connection")
            await self.leave(room, old, reason="replaced")
        others = [p.describe() for p in room]
        room.peers[peer.peer_id] = peer
        peer.send(
            {
                "type": "welcome",
                "peer_id": peer.peer_id,
                "user_id": peer.user_id,
                "session_id": session_id,
                "peers": others,
            }
        )
        room.broadcast({"type": "peer-joined", "peer": peer.describe()}, exclude=peer)
        log.info(
            "room %s: peer %s (user %s) joined, %d in room",
            session_id,
            peer.peer_id,
            peer.user_id,
            len(room.peers),
        )
        for listener in self._on_join:
            await listener(room, peer)
        return room

    async def leave(self, room: Room, peer: Peer, *, reason: str = "left") -> bool:
        """Remove `peer` if still in `room` and tell the others at once; False if already gone."""
        if room.peers.get(peer.peer_id) is not peer:
            return False
        del room.peers[peer.peer_id]
        room.broadcast(
            {
                "type": "peer-left",
                "peer_id": peer.peer_id,
                "user_id": peer.user_id,
                "reason": reason,
            }
        )
        log.info(
            "room %s: peer %s left (%s), %d in room",
            room.session_id,
            peer.peer_id,
            reason,
            len(room.peers),
        )
        for listener in self._on_leave:
            await listener(room, peer, reason)
        if not room.peers and self.rooms.get(room.session_id) is room:
            del self.rooms[room.session_id]
        return True

    async def dispatch(self, room: Room, peer: Peer, kind: str, data: dict[str, Any]) -> None:
        """Validate and handle one message; raises ProtocolError for the sender to be told."""
        route = self._routes.get(kind)
        if route is None:
            raise m.ProtocolError("unknown_type", f"Unknown message type {kind[:40]!r}.")
        await route.handler(room, peer, m.validate_as(route.model, data))

    def track(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` (such as recording attendance) as a task that shutdown waits for."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait for departures still being recorded."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def close_all(self, code: int = CloseCode.GOING_AWAY, reason: str = "server shutdown") -> None:
        """Ask every connection of every room to close (at shutdown)."""
        for room in list(self.rooms.values()):
            for peer in room:
                peer.close(code, reason)


# --- built-in handlers ------------------------------------------------------------------------


async def relay_negotiation(room: Room, peer: Peer, msg: m.Offer | m.Answer | m.Candidate) -> None:
    """Pass a negotiation message to its addressee, stamped with the true sender."""
    if msg.to == peer.peer_id:
        raise m.ProtocolError("unknown_peer", "A peer cannot negotiate with itself.")
    room.send_to(msg.to, {**msg.model_dump(exclude={"to"}), "from": peer.peer_id})


def media_message(peer: Peer) -> dict[str, Any]:
    """What the others are told of a peer's microphone, camera and screen."""
    return {"type": "media", "from": peer.peer_id, **peer.media.model_dump()}


async def announce_media(room: Room, peer: Peer, msg: m.Media) -> None:
    """The built-in `media` handler: remember the peer's devices and tell everyone else."""
    peer.media = m.MediaState(mic=msg.mic, camera=msg.camera, screen=msg.screen)
    room.broadcast(media_message(peer), exclude=peer)


async def _chat(room: Room, peer: Peer, msg: m.Chat) -> None:
    # Sent to everyone, sender included, so all see the same order and the server's time.
    room.broadcast(
        {
            "type": "chat",
            "from": peer.peer_id,
            "user_id": peer.user_id,
            "name": peer.name,
            "text": msg.text,
            "sent_at": utcnow().isoformat(),
        }
    )


async def _ping(room: Room, peer: Peer, msg: m.Ping) -> None:
    peer.send({"type": "pong", "id": msg.id})


async def _ignore(room: Room, peer: Peer, msg: BaseModel) -> None:
    """Pongs only prove the connection is alive, which receiving them already did."""
