"""NotesHub: live docs merged by CRDT, persisted before the ack, restored after a restart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from pycrdt import Doc, Text
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import models.registry  # noqa: F401  (every table the notes refer to)
from models import notes as store
from models.notes import NoteSnapshot, NoteUpdate
from models.notes_doc import (
    MAX_UPDATE_BYTES,
    InvalidDocName,
    NotesForbidden,
    UpdateRejected,
    new_doc,
    notes_text,
)
from signaling.notes_sync import NotesHub
from tests.conftest import seed_pair

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture
def factory(engine: AsyncEngine) -> Factory:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
async def hub(factory: Factory) -> AsyncIterator[NotesHub]:
    hub = NotesHub(factory)
    yield hub
    await hub.close()


@pytest.fixture
async def people(factory: Factory) -> tuple[int, int, int]:
    """(session id, mentor id, mentee id)."""
    async with factory() as db:
        return await seed_pair(db)


class Client:
    """A browser stand-in: its own CRDT doc, syncing with the hub like notes.js does."""

    def __init__(self, hub: NotesHub, session_id: int, user_id: int, doc: str = "shared"):
        self.hub, self.session_id, self.user_id, self.doc_name = hub, session_id, user_id, doc
        self.doc: Doc[Text] = new_doc()
        self.unacked: list[bytes] = []

    @property
    def text(self) -> str:
        return notes_text(self.doc)

    def type(self, index: int, text: str) -> bytes:
        before = self.doc.get_state()
        self.doc.get("notes", type=Text).insert(index, text)
        update = self.doc.get_update(before)
        self.unacked.append(update)
        return update

    async def send(self) -> None:
        """Send every unacked update; each is acked once the hub returns."""
        while self.unacked:
            await self.hub.apply(self.session_id, self.doc_name, self.user_id, self.unacked[0])
            self.unacked.pop(0)

    async def pull(self) -> None:
        """Receive what the server has and this client lacks (the notes-sync exchange)."""
        diff = await self.hub.sync(
            self.session_id, self.doc_name, self.user_id, self.doc.get_state()
        )
        self.doc.apply_update(diff)

    async def reconnect(self) -> None:
        """Merge both ways after being offline: pull the diff, push what the server lacks."""
        await self.pull()
        server_vector = await self.hub.state_vector(self.session_id, self.doc_name, self.user_id)
        self.unacked = [self.doc.get_update(server_vector)]
        await self.send()


async def stored_rows(factory: Factory) -> int:
    async with factory() as db:
        return await db.scalar(select(func.count()).select_from(NoteUpdate)) or 0


async def test_concurrent_typing_converges(
    hub: NotesHub, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    alice, bob = Client(hub, session_id, mentor), Client(hub, session_id, mentee)
    alice.type(0, "# Notes\n")
    await alice.send()
    await bob.pull()

    for i in range(10):
        alice.type(len("# Notes\n"), f"a{i} ")
        bob.type(len("# Notes\n"), f"b{i} ")
    await asyncio.gather(alice.send(), bob.send())
    await asyncio.gather(alice.pull(), bob.pull())

    assert alice.text == bob.text == await hub.text(session_id, "shared", mentor)
    assert all(f"a{i} " in alice.text and f"b{i} " in alice.text for i in range(10))
    assert await stored_rows(factory) == 21


async def test_restart_restores_every_acknowledged_change(
    factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    crashed = NotesHub(factory)
    alice = Client(crashed, session_id, mentor)
    alice.type(0, "before compaction. ")
    await alice.send()
    async with factory() as db:
        await store.compact(db, session_id, "shared")
        await db.commit()
    alice.type(0, "after compaction. ")
    await alice.send()
    # `crashed` is dropped without close(): only what was committed survives.

    restarted = NotesHub(factory)
    assert await restarted.text(session_id, "shared", mentee) == alice.text
    fresh = Client(restarted, session_id, mentee)
    await fresh.pull()
    assert fresh.doc.get_update() != b"" and fresh.text == alice.text
    await restarted.close()


async def test_apply_returns_only_once_committed(
    hub: NotesHub, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    alice = Client(hub, session_id, mentor)
    update = alice.type(0, "durable")
    await hub.apply(session_id, "shared", mentor, update)
    async with factory() as db:  # a separate connection sees it: it is committed
        row = await db.scalar(select(NoteUpdate))
    assert row is not None
    assert (row.update, row.author_id, row.chars_inserted) == (update, mentor, 7)


async def test_offline_edits_merge_on_reconnect(
    hub: NotesHub, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    online, offline = Client(hub, session_id, mentor), Client(hub, session_id, mentee)
    online.type(0, "Shared start.")
    await online.send()
    await offline.pull()

    offline.type(len("Shared start."), " Written on the train.")
    online.type(0, "Live: ")
    await online.send()
    assert "train" not in await hub.text(session_id, "shared", mentor)

    await offline.reconnect()
    await online.pull()
    assert online.text == offline.text == "Live: Shared start. Written on the train."


async def test_resent_updates_are_not_stored_twice(
    hub: NotesHub, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    alice = Client(hub, session_id, mentor)
    update = alice.type(0, "once")
    await hub.apply(session_id, "shared", mentor, update)
    await hub.apply(session_id, "shared", mentor, update)  # ack lost, client resends
    assert await stored_rows(factory) == 1
    assert await hub.text(session_id, "shared", mentor) == "once"


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        (b"\x07garbage", "not a Yjs update"),
        (b"", "empty update"),
        (b"\x00" * (MAX_UPDATE_BYTES + 1), "exceeds the 65536-byte limit"),
    ],
    ids=["garbage", "empty", "oversized"],
)
async def test_bad_updates_are_rejected_and_change_nothing(
    hub: NotesHub, factory: Factory, people: tuple[int, int, int], update: bytes, reason: str
) -> None:
    session_id, mentor, _ = people
    alice = Client(hub, session_id, mentor)
    alice.type(0, "intact")
    await alice.send()

    with pytest.raises(UpdateRejected, match=reason):
        await hub.apply(session_id, "shared", mentor, update)
    assert await hub.text(session_id, "shared", mentor) == "intact"
    assert await stored_rows(factory) == 1


async def test_oversized_typing_is_rejected(
    hub: NotesHub, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    alice = Client(hub, session_id, mentor)
    huge = alice.type(0, "x" * (MAX_UPDATE_BYTES + 10))
    with pytest.raises(UpdateRejected, match="limit"):
        await hub.apply(session_id, "shared", mentor, huge)
    assert await hub.text(session_id, "shared", mentor) == ""
    assert await stored_rows(factory) == 0


async def test_update_missing_its_base_is_rejected_then_doc_reloads(
    hub: NotesHub, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    alice = Client(hub, session_id, mentor)
    alice.type(0, "never sent ")
    alice.unacked.clear()
    orphan = alice.type(11, "depends on it")
    with pytest.raises(UpdateRejected, match="sync first"):
        await hub.apply(session_id, "shared", mentor, orphan)
    assert await hub.text(session_id, "shared", mentor) == ""
    # Once the client sends everything, the server accepts it.
    alice.unacked = [alice.doc.get_update()]
    await alice.send()
    assert await hub.text(session_id, "shared", mentor) == "never sent depends on it"


async def test_private_notes_are_separate_and_owner_only(
    hub: NotesHub, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    mine = f"private:{mentor}"
    shared = Client(hub, session_id, mentee)
    private = Client(hub, session_id, mentor, doc=mine)
    shared.type(0, "for both")
    private.type(0, "mentee seems stuck on X")
    await asyncio.gather(shared.send(), private.send())

    assert await hub.text(session_id, "shared", mentor) == "for both"
    assert await hub.text(session_id, mine, mentor) == "mentee seems stuck on X"
    with pytest.raises(NotesForbidden):
        await hub.sync(session_id, mine, mentee, None)
    with pytest.raises(NotesForbidden):
        await hub.apply(session_id, mine, mentee, shared.type(0, "sneaky "))
    with pytest.raises(NotesForbidden):
        hub.join(session_id, mine, mentee)
    with pytest.raises(InvalidDocName):
        await hub.sync(session_id, "secret", mentor, None)
    assert await hub.text(session_id, mine, mentor) == "mentee seems stuck on X"


async def test_docs_stay_loaded_while_connected_and_compact_when_left(
    hub: NotesHub, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    hub.join(session_id, "shared", mentor)
    hub.join(session_id, "shared", mentee)
    alice = Client(hub, session_id, mentor)
    alice.type(0, "kept in memory")
    await alice.send()
    assert hub.live_docs == [(session_id, "shared")]

    await hub.leave(session_id, "shared")
    assert hub.live_docs == [(session_id, "shared")]
    await hub.leave(session_id, "shared")
    assert hub.live_docs == []
    assert await stored_rows(factory) == 0  # folded into a snapshot by the last one out
    assert await hub.text(session_id, "shared", mentee) == "kept in memory"
    assert hub.live_docs == []  # a one-off read does not keep the doc around


async def test_background_compaction_and_end_of_session_version(
    factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    hub = NotesHub(factory, compact_every=5)
    hub.join(session_id, "shared", mentor)
    alice = Client(hub, session_id, mentor)
    for i in range(12):
        alice.type(0, f"{i};")
        await alice.send()
    for _ in range(100):  # compaction runs in the background, after the acks
        if await stored_rows(factory) < 5:
            break
        await asyncio.sleep(0.02)
    assert await stored_rows(factory) < 5
    await hub.end_session(session_id)
    await hub.close()
    await hub.close()  # safe twice

    async with factory() as db:
        versions = await store.list_versions(db, session_id, "shared")
        snapshots = await db.scalar(select(func.count()).select_from(NoteSnapshot))
    assert [(v.label, v.text) for v in versions] == [("end of session", alice.text)]
    assert [(c.author_id, c.updates) for c in versions[0].contributors] == [(mentor, 12)]
    assert snapshots == 1
    assert await stored_rows(factory) == 0

    restarted = NotesHub(factory)
    assert await restarted.text(session_id, "shared", mentee) == alice.text
    await restarted.close()


async def test_an_update_is_acked_well_within_200_ms(
    hub: NotesHub, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    hub.join(session_id, "shared", mentor)
    alice = Client(hub, session_id, mentor)
    slowest = 0.0
    for i in range(30):
        update = alice.type(i, "k")
        started = time.perf_counter()
        await hub.apply(session_id, "shared", mentor, update)
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 0.2, f"slowest apply took {slowest * 1000:.0f} ms"


async def test_simultaneous_updates_share_commits(
    hub: NotesHub, factory: Factory, engine: AsyncEngine, people: tuple[int, int, int]
) -> None:
    from sqlalchemy import event

    session_id, mentor_id, _ = people
    commits = 0

    def count(_conn: object) -> None:
        nonlocal commits
        commits += 1

    editors = [Client(hub, session_id, mentor_id) for _ in range(40)]
    await editors[0].pull()  # the doc is loaded before counting
    event.listen(engine.sync_engine, "commit", count)
    try:
        for number, editor in enumerate(editors):
            editor.type(0, f"<{number}>")
        await asyncio.gather(*(editor.send() for editor in editors))
    finally:
        event.remove(engine.sync_engine, "commit", count)
    # Every update was stored before its sender heard back, in far fewer commits than updates.
    assert await stored_rows(factory) == 40
    assert commits <= 10, commits
    fresh = NotesHub(factory)
    text = await fresh.text(session_id, "shared", mentor_id)
    await fresh.close()
    assert all(f"<{number}>" in text for number in range(40))


class CommitGate:
    """Real sessions on the real database whose commits wait for the test, then go on or fail
    (`failure` fails the next commit only)."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.failure: Exception | None = None
        self.reached = asyncio.Event()  # a commit is waiting

    def factory(self, engine: AsyncEngine) -> Factory:
        gate = self

        class GatedSession(AsyncSession):
            async def commit(self) -> None:
                gate.reached.set()
                await gate.opened.wait()
                failure, gate.failure = gate.failure, None  # one commit fails
                if failure is not None:
                    raise failure
                await super().commit()

        return async_sessionmaker(engine, class_=GatedSession, expire_on_commit=False)

    async def until_waiting(self) -> None:
        await asyncio.wait_for(self.reached.wait(), 3)


async def test_a_resend_is_acked_only_once_its_first_copy_is_stored(
    engine: AsyncEngine, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    gate = CommitGate()
    hub = NotesHub(gate.factory(engine))
    alice = Client(hub, session_id, mentor)
    update = alice.type(0, "said once")
    first = asyncio.create_task(hub.apply(session_id, "shared", mentor, update))
    await gate.until_waiting()
    resend = asyncio.create_task(hub.apply(session_id, "shared", mentor, update))  # reconnected
    await asyncio.sleep(0.1)
    assert not resend.done(), "the resend was acknowledged while nothing was stored"

    gate.failure = ConnectionResetError("database went away")
    gate.opened.set()
    for task in (first, resend):
        with pytest.raises(ConnectionResetError):
            await task
    assert await stored_rows(factory) == 0
    await hub.apply(session_id, "shared", mentor, update)  # the client resends after the error
    assert await stored_rows(factory) == 1
    await hub.close()


async def test_sync_serves_only_committed_updates(
    engine: AsyncEngine, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    gate = CommitGate()
    hub = NotesHub(gate.factory(engine))
    alice, bob = Client(hub, session_id, mentor), Client(hub, session_id, mentee)
    draft = asyncio.create_task(hub.apply(session_id, "shared", mentor, alice.type(0, "draft ")))
    await gate.until_waiting()
    await bob.pull()  # bob opens the notes while alice's update waits for its commit
    assert bob.text == ""
    empty = new_doc().get_state()
    assert await hub.state_vector(session_id, "shared", mentee) == empty

    gate.failure = ConnectionResetError("database went away")
    gate.opened.set()
    with pytest.raises(ConnectionResetError):
        await draft
    bob.type(len(bob.text), "agreed")
    await bob.send()
    restarted = NotesHub(factory)
    # What bob typed is stored on what everyone has, so it stays visible to everyone.
    assert await restarted.text(session_id, "shared", mentor) == bob.text == "agreed"
    await asyncio.gather(hub.close(), restarted.close())


async def test_updates_queued_behind_a_failed_commit_fail_too(
    engine: AsyncEngine, factory: Factory, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    gate = CommitGate()
    hub = NotesHub(gate.factory(engine))
    alice = Client(hub, session_id, mentor)
    first = asyncio.create_task(hub.apply(session_id, "shared", mentor, alice.type(0, "one ")))
    await gate.until_waiting()
    # Built on "one ", which is not stored yet: it must not be stored without it.
    second = asyncio.create_task(hub.apply(session_id, "shared", mentor, alice.type(4, "two")))
    await asyncio.sleep(0.05)
    gate.failure = ConnectionResetError("database went away")
    gate.opened.set()
    for task in (first, second):
        with pytest.raises(ConnectionResetError):
            await task
    assert await stored_rows(factory) == 0
    alice.unacked = [alice.doc.get_update()]  # the client resends everything unacked
    await alice.send()
    fresh = NotesHub(factory)
    assert await fresh.text(session_id, "shared", mentee) == "one two"
    await asyncio.gather(hub.close(), fresh.close())
