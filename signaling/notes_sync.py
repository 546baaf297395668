"""Live session notes: in-memory CRDT docs per (session, doc), persisted before every ack.

Independent of transport: the WebSocket handler calls `sync` when a client (re)connects and
`apply` for each update it sends, acks once `apply` returns, then broadcasts the update to the
other participants. Each app instance owns one NotesHub (built in the composition root).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import notes as store
from models.notes_doc import (
    MAX_DOC_BYTES,
    MissingDependencies,
    TextChange,
    apply_update,
    check_access,
    check_update_size,
    diff_for,
    doc_from_updates,
    encode_state,
    notes_text,
)
from models.notes_doc import state_vector as encode_state_vector  # `state_vector` is a parameter

log = logging.getLogger(__name__)

# Fold the update log into a snapshot after this many updates, so loading stays fast.
COMPACT_EVERY = 500

DocKey = tuple[int, str]


Entry = tuple[int, bytes, TextChange]


@dataclass(eq=False)
class _LiveDoc:
    """One loaded doc and who is using it. `doc` is None until loaded.

    `doc` holds committed updates only: it is what syncs, state vectors and reads serve.
    `working` is `doc` plus the updates still waiting for their commit: new updates are checked
    and merged there (None until needed, or after a failure, when it is rebuilt from `doc`).
    """

    key: DocKey
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    doc: Doc[Text] | None = None
    working: Doc[Text] | None = None
    doc_bytes: int = 0
    updates_since_snapshot: int = 0
    connections: int = 0
    holders: int = 0
    # Group commit: `committing` is in the transaction under way; `pending` waits for the next.
    committing: list[Entry] = field(default_factory=list)
    pending: list[Entry] = field(default_factory=list)
    committing_batch: asyncio.Future[None] | None = None
    batch: asyncio.Future[None] | None = None
    is_flushing: bool = False

    def uncommitted(self) -> asyncio.Future[None] | None:
        """The future that resolves once everything merged so far is stored (None: it is)."""
        return self.batch or self.committing_batch


class NotesHub:
    """The live notes docs of one app instance."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, compact_every: int = COMPACT_EVERY
    ) -> None:
        self._sessionmaker = sessionmaker
        self._compact_every = compact_every
        self._docs: dict[DocKey, _LiveDoc] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._is_closed = False

    @property
    def live_docs(self) -> list[DocKey]:
        """The (session id, doc) pairs currently held in memory."""
        return list(self._docs)

    def join(self, session_id: int, doc: str, user_id: int) -> None:
        """Count a connection on a doc; it stays in memory until the last one leaves."""
        check_access(doc, user_id)
        self._entry((session_id, doc)).connections += 1

    async def leave(self, session_id: int, doc: str) -> None:
        """Uncount a connection; the last one out compacts the doc and evicts it."""
        live = self._docs.get((session_id, doc))
        if live is None or live.connections == 0:
            return
        live.connections -= 1
        if live.connections == 0:
            async with self._held(live.key, load=False) as held:
                if held.updates_since_snapshot:
                    await self._compact(held)

    async def sync(
        self, session_id: int, doc: str, user_id: int, state_vector: bytes | None
    ) -> bytes:
        """The update a client holding `state_vector` lacks (the whole doc when it is empty)."""
        check_access(doc, user_id)
        async with self._held((session_id, doc)) as live:
            assert live.doc is not None
            return diff_for(live.doc, state_vector)

    async def state_vector(self, session_id: int, doc: str, user_id: int) -> bytes:
        """The server's state vector, so a reconnecting client can send what the server lacks."""
        check_access(doc, user_id)
        async with self._held((session_id, doc)) as live:
            assert live.doc is not None
            return encode_state_vector(live.doc)

    async def apply(self, session_id: int, doc: str, user_id: int, update: bytes) -> None:
        """Validate, merge and persist a client's update; returns once it is committed.

        Raises UpdateRejected (doc unchanged), NotesForbidden or InvalidDocName, and whatever
        the database raised when the commit failed (the update is then dropped: resend it).
        An update that changes nothing (a resend) writes nothing, but still returns only once
        everything merged before it is committed: its first copy may still be waiting.
        Updates arriving while a commit is under way share the next one (group commit), so many
        editors cost a few commits rather than one each.
        """
        check_access(doc, user_id)
        async with self._held((session_id, doc)) as live:
            working = self._working(live)
            if live.doc_bytes + len(update) > MAX_DOC_BYTES:
                live.doc_bytes = len(encode_state(working))  # the running total overestimates
            check_update_size(update, live.doc_bytes)
            try:
                change = apply_update(working, update)
            except MissingDependencies:
                live.working = None  # yrs kept the update as pending: rebuild without it
                raise
            if change is None:
                batch = live.uncommitted()
                if batch is None:
                    return  # already stored
            else:
                live.doc_bytes += len(update)
                live.pending.append((user_id, update, change))
                if live.batch is None:
                    live.batch = asyncio.get_running_loop().create_future()
                batch = live.batch
                if not live.is_flushing:
                    live.is_flushing = True
                    live.holders += 1  # kept in memory until its updates are stored
                    self._spawn(self._flush(live))
        await asyncio.shield(batch)

    def _working(self, live: _LiveDoc) -> Doc[Text]:
        """The committed doc plus every update still waiting for its commit."""
        if live.working is None:
            assert live.doc is not None
            waiting = [update for _, update, _ in live.committing + live.pending]
            live.working = doc_from_updates(encode_state(live.doc), *waiting)
        return live.working

    async def _flush(self, live: _LiveDoc) -> None:
        """Commit pending updates, one transaction per batch, until none are left."""
        session_id, doc = live.key
        try:
            while live.pending:
                live.committing, live.pending = live.pending, []
                live.committing_batch, live.batch = live.batch, None
                try:
                    async with self._sessionmaker() as db:
                        for user_id, update, change in live.committing:
                            await store.append_update(db, session_id, doc, user_id, update, change)
                        await db.commit()
                except Exception as exc:
                    log.warning("notes %s/%s: commit failed: %r", session_id, doc, exc)
                    self._drop_uncommitted(live, exc)
                    continue
                assert live.doc is not None
                for _, update, _ in live.committing:
                    live.doc.apply_update(update)
                live.updates_since_snapshot += len(live.committing)
                batch, live.committing, live.committing_batch = live.committing_batch, [], None
                assert batch is not None
                batch.set_result(None)
            if live.updates_since_snapshot >= self._compact_every:
                self._spawn(self._compact_later(live.key))
        finally:
            live.is_flushing = False
            live.holders -= 1
            self._evict_if_unused(live)

    def _drop_uncommitted(self, live: _LiveDoc, exc: Exception) -> None:
        """A commit failed: every update not yet stored fails (later ones may build on it)."""
        batches = [b for b in (live.committing_batch, live.batch) if b is not None]
        live.committing, live.pending = [], []
        live.committing_batch = live.batch = None
        live.working = None
        assert live.doc is not None
        live.doc_bytes = len(encode_state(live.doc))
        for batch in batches:
            batch.set_exception(exc)
            batch.exception()  # retrieved here; each waiter re-raises it

    async def text(self, session_id: int, doc: str, user_id: int) -> str:
        """The current Markdown of a doc (live if loaded, else from storage)."""
        check_access(doc, user_id)
        async with self._held((session_id, doc)) as live:
            assert live.doc is not None
            return notes_text(live.doc)

    async def end_session(self, session_id: int, label: str = store.END_OF_SESSION) -> None:
        """Record a labelled version of every notes doc of the session (version history)."""
        async with self._sessionmaker() as db:
            names = await store.doc_names(db, session_id)
        for doc in names:
            async with self._held((session_id, doc), load=False) as live:
                await self._compact(live, label=label)

    async def close(self) -> None:
        """Finish background compactions, compact what is loaded, forget every doc. Idempotent."""
        if self._is_closed:
            return
        self._is_closed = True
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for live in list(self._docs.values()):
            if live.updates_since_snapshot:
                async with live.lock:
                    await self._compact(live)
        self._docs.clear()

    def _entry(self, key: DocKey) -> _LiveDoc:
        live = self._docs.get(key)
        if live is None:
            live = self._docs[key] = _LiveDoc(key)
        return live

    @asynccontextmanager
    async def _held(self, key: DocKey, *, load: bool = True) -> AsyncIterator[_LiveDoc]:
        """The doc, locked (and loaded unless `load` is False); evicted when nobody needs it."""
        live = self._entry(key)
        live.holders += 1
        try:
            async with live.lock:
                if load and live.doc is None:
                    await self._load(live)
                yield live
        finally:
            live.holders -= 1
            self._evict_if_unused(live)

    def _evict_if_unused(self, live: _LiveDoc) -> None:
        if live.holders == 0 and live.connections == 0 and self._docs.get(live.key) is live:
            del self._docs[live.key]

    async def _load(self, live: _LiveDoc) -> None:
        session_id, doc = live.key
        async with self._sessionmaker() as db:
            stored = await store.load_notes(db, session_id, doc)
        live.doc = doc_from_updates(*stored.updates)
        live.working = None
        live.doc_bytes = len(encode_state(live.doc))
        live.updates_since_snapshot = stored.updates_since_snapshot
        log.debug("notes %s/%s loaded: %d bytes", session_id, doc, live.doc_bytes)

    async def _compact(self, live: _LiveDoc, *, label: str | None = None) -> None:
        """Fold the stored log into a snapshot; the caller holds the doc's lock."""
        session_id, doc = live.key
        async with self._sessionmaker() as db:
            snapshot = await store.compact(db, session_id, doc, label=label)
            await db.commit()
        if snapshot is not None:
            waiting = live.committing + live.pending  # not in the snapshot yet
            live.doc_bytes = len(snapshot.state) + sum(len(update) for _, update, _ in waiting)
            live.updates_since_snapshot = 0
            log.info(
                "notes %s/%s compacted up to update %d (%s)",
                session_id,
                doc,
                snapshot.up_to_update_id,
                label or "unlabelled",
            )

    async def _compact_later(self, key: DocKey) -> None:
        async with self._held(key, load=False) as live:
            if live.updates_since_snapshot >= self._compact_every:
                await self._compact(live)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("notes background compaction failed", exc_info=task.exception())
