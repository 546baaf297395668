"""Live notes over a room connection: the notes-* messages, wired to the app's NotesHub.

The wire format is in docs/notes-protocol.md. Updates are acknowledged and relayed only after
the hub has committed them; private docs are never relayed to anyone but their owner.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import Field, StringConstraints

from models.notes_doc import (
    SHARED_DOC,
    InvalidDocName,
    MissingDependencies,
    NotesError,
    NotesForbidden,
    UpdateRejected,
    check_access,
)
from server import keys
from server.services.agenda import AgendaAnnouncer, AgendaFeed
from signaling.handler import notes_socket
from signaling.messages import ClientMessage
from signaling.notes_sync import NotesHub
from signaling.notes_versions import record_versions_forever
from signaling.peer import CloseCode, Peer
from signaling.rooms import Room, RoomRegistry

log = logging.getLogger(__name__)

DocName = Annotated[str, StringConstraints(min_length=1, max_length=40)]
# An update's size is checked by the hub, so that a refusal names its `seq`; the frame limit
# bounds it. State vectors: base64 of at most 16 KiB.
UpdateB64 = Annotated[str, StringConstraints(min_length=1)]
VectorB64 = Annotated[str, StringConstraints(max_length=21_900)]


class NotesSync(ClientMessage):
    type: Literal["notes-sync"]
    doc: DocName
    state_vector: VectorB64 | None = None


class NotesUpdate(ClientMessage):
    type: Literal["notes-update"]
    doc: DocName
    update: UpdateB64
    client_id: Annotated[int, Field(ge=0, le=2**53)] = 0
    seq: Annotated[int, Field(ge=0, le=2**53)] = 0


class NotesTyping(ClientMessage):
    type: Literal["notes-typing"]
    doc: DocName


NOTES_MESSAGES: dict[str, type[ClientMessage]] = {
    "notes-sync": NotesSync,
    "notes-update": NotesUpdate,
    "notes-typing": NotesTyping,
}


# At shutdown, how long updates already received may take to be stored (and acked).
SHUTDOWN_FLUSH_SECONDS = 1.5


def _error_code(exc: NotesError) -> str:
    if isinstance(exc, MissingDependencies):  # before UpdateRejected: it is one
        return "out_of_sync"
    if isinstance(exc, UpdateRejected):
        return "rejected"
    if isinstance(exc, NotesForbidden):
        return "forbidden"
    if isinstance(exc, InvalidDocName):
        return "invalid_doc"
    return "rejected"


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise UpdateRejected("not valid base64") from None


class NotesChannel:
    """Serves notes-* messages for every room of one registry."""

    def __init__(self, hub: NotesHub | None = None) -> None:
        self._hub = hub
        # Which docs each connection has opened, so leaving releases them.
        self._opened: dict[str, set[tuple[int, str]]] = {}
        self._updating = 0  # updates received and not yet answered
        self._answered = asyncio.Event()
        self._answered.set()

    @property
    def hub(self) -> NotesHub:
        """The app's hub, set when the app starts."""
        if self._hub is None:
            raise RuntimeError("notes are not running")
        return self._hub

    @hub.setter
    def hub(self, hub: NotesHub) -> None:
        self._hub = hub

    def attach(self, registry: RoomRegistry) -> None:
        """Register the notes handlers and release docs when peers leave."""
        registry.register_handler("notes-sync", NotesSync, self._sync)  # type: ignore[arg-type]
        registry.register_handler("notes-update", NotesUpdate, self._update)  # type: ignore[arg-type]
        registry.register_handler("notes-typing", NotesTyping, self._typing)  # type: ignore[arg-type]
        registry.on_leave(self._release)

    async def settle(self) -> None:
        """Wait until every update received so far is answered (acked or refused)."""
        await self._answered.wait()

    def _fail(self, peer: Peer, doc: str, exc: NotesError, seq: int | None = None) -> None:
        self._refuse(peer, doc, _error_code(exc), str(exc), seq)

    def _unavailable(self, room: Room, peer: Peer, doc: str, seq: int | None = None) -> None:
        """The database failed: the client keeps its connection and sends the update again."""
        log.exception(
            "room %s: peer %s: notes doc %s not stored", room.session_id, peer.peer_id, doc
        )
        self._refuse(
            peer,
            doc,
            "unavailable",
            "The notes could not be stored just now; send them again.",
            seq,
        )

    def _refuse(self, peer: Peer, doc: str, code: str, text: str, seq: int | None) -> None:
        message: dict[str, Any] = {"type": "notes-error", "doc": doc, "code": code, "message": text}
        if seq is not None:
            message["seq"] = seq
        peer.send(message)

    def _relay(self, room: Room, peer: Peer, doc: str, message: dict[str, Any]) -> None:
        if doc == SHARED_DOC:
            room.broadcast(message, exclude=peer)
            return
        # A private doc reaches only its owner's other tabs.
        for other in room:
            if other.user_id == peer.user_id and other is not peer:
                other.send(message)

    async def _sync(self, room: Room, peer: Peer, msg: NotesSync) -> None:
        try:
            check_access(msg.doc, peer.user_id)
            key = (room.session_id, msg.doc)
            opened = self._opened.setdefault(peer.peer_id, set())
            if key not in opened:
                self.hub.join(room.session_id, msg.doc, peer.user_id)
                opened.add(key)
            vector = _decode(msg.state_vector) if msg.state_vector else None
            diff = await self.hub.sync(room.session_id, msg.doc, peer.user_id, vector)
            mine = await self.hub.state_vector(room.session_id, msg.doc, peer.user_id)
        except NotesError as exc:
            self._fail(peer, msg.doc, exc)
            return
        except Exception:  # the database: loading the doc failed
            self._unavailable(room, peer, msg.doc)
            return
        peer.send(
            {
                "type": "notes-sync",
                "doc": msg.doc,
                "update": base64.b64encode(diff).decode(),
                "state_vector": base64.b64encode(mine).decode(),
            }
        )

    async def _update(self, room: Room, peer: Peer, msg: NotesUpdate) -> None:
        self._updating += 1
        self._answered.clear()
        try:
            await self._store_and_answer(room, peer, msg)
        finally:
            self._updating -= 1
            if not self._updating:
                self._answered.set()

    async def _store_and_answer(self, room: Room, peer: Peer, msg: NotesUpdate) -> None:
        try:
            check_access(msg.doc, peer.user_id)
            await self.hub.apply(room.session_id, msg.doc, peer.user_id, _decode(msg.update))
        except NotesError as exc:
            self._fail(peer, msg.doc, exc, msg.seq)
            return
        except Exception:  # the commit failed: nothing of it is stored or shown to anyone
            self._unavailable(room, peer, msg.doc, msg.seq)
            return
        # Stored: now it may be acknowledged and shown to the others.
        peer.send({"type": "notes-ack", "doc": msg.doc, "seq": msg.seq})
        self._relay(
            room,
            peer,
            msg.doc,
            {
                "type": "notes-update",
                "doc": msg.doc,
                "update": msg.update,
                "client_id": msg.client_id,
                "user_id": peer.user_id,
            },
        )

    async def _typing(self, room: Room, peer: Peer, msg: NotesTyping) -> None:
        self._relay(
            room,
            peer,
            msg.doc,
            {"type": "notes-typing", "doc": msg.doc, "user_id": peer.user_id, "name": peer.name},
        )

    async def _release(self, room: Room, peer: Peer, reason: str) -> None:
        for session_id, doc in self._opened.pop(peer.peer_id, set()):
            try:
                await self.hub.leave(session_id, doc)
            except Exception:
                log.exception("room %s: releasing notes doc %s failed", session_id, doc)


def announcer(registry: RoomRegistry) -> AgendaAnnouncer:
    """Sends a message to everyone with a session's notes open (its page, its call)."""

    def announce(session_id: int, message: dict[str, Any]) -> None:
        room = registry.room(session_id)
        if room is not None:
            room.broadcast(message)

    return announce


def setup_notes(app: web.Application) -> None:
    """Notes rooms at /ws/sessions/{id}/notes, the hub, and end-of-session versions."""
    registry = RoomRegistry(is_call=False, one_connection_per_user=False)
    channel = NotesChannel()
    channel.attach(registry)
    app[keys.NOTES_ROOMS] = registry
    app[keys.AGENDA_FEED] = AgendaFeed(announcer(registry))
    app.router.add_get("/ws/sessions/{session_id}/notes", notes_socket)

    async def going_away(app: web.Application) -> None:
        # First store (and ack) what was received, then send everyone away, so nothing is lost
        # and clients reconnect to the next server at once.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(channel.settle(), SHUTDOWN_FLUSH_SECONDS)
        registry.close_all(CloseCode.GOING_AWAY, "server shutdown")

    app.on_shutdown.append(going_away)

    async def running(app: web.Application) -> AsyncIterator[None]:
        hub = NotesHub(app[keys.DB])
        app[keys.NOTES] = channel.hub = hub
        versions = asyncio.create_task(record_versions_forever(hub, app[keys.DB]))
        yield
        versions.cancel()
        registry.close_all(CloseCode.GOING_AWAY, "server shutdown")
        await registry.drain()
        await hub.close()

    app.cleanup_ctx.append(running)
