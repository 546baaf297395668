"""Live notes over the socket while the database is slow or failing: nothing is acknowledged
before it is stored, a failed commit is answered per update, and queued edits catch up."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from server import keys
from tests.signaling.conftest import Cast
from tests.signaling.test_notes_socket import NotesClient


@asynccontextmanager
async def notes_table_locked(engine: AsyncEngine) -> AsyncIterator[None]:
    """Another connection holds a lock on the notes log: storing an update waits for it."""
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # any write takes SQLite's one write lock
            await conn.execute(text("DELETE FROM note_updates WHERE id < 0"))
        else:  # SHARE conflicts with the ROW EXCLUSIVE lock an INSERT needs
            await conn.execute(text("LOCK TABLE note_updates IN SHARE MODE"))
        yield
        await conn.rollback()


@contextmanager
def commits_fail(engine: AsyncEngine) -> Iterator[None]:
    """Every commit on the app's real database fails, as when the connection is reset."""

    def fail(_conn: object) -> None:
        raise ConnectionResetError("connection reset by the database")

    event.listen(engine.sync_engine, "commit", fail)
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "commit", fail)


async def test_a_failed_commit_answers_each_unacked_seq_and_keeps_the_connection(
    cast: Cast,
) -> None:
    mentor = await NotesClient.open(cast.mentor, cast.session_id, 1)
    mentee = await NotesClient.open(cast.mentee, cast.session_id, 2)
    with commits_fail(cast.mentor.app[keys.ENGINE]):
        first = await mentor.send_edit(0, "first ")
        second = await mentor.send_edit(6, "second")  # built on the first
        answers = [await mentor.next_of("notes-ack", "notes-error") for _ in range(2)]
    assert [(a["type"], a["seq"]) for a in answers] == [
        ("notes-error", first),
        ("notes-error", second),
    ]
    assert answers[0]["code"] == "unavailable"
    assert answers[1]["code"] in ("unavailable", "out_of_sync")  # both make the client resend
    assert not mentor.ws.closed
    # Nothing unstored reached anyone: a newcomer syncs an empty doc.
    late = await NotesClient.open(cast.mentee, cast.session_id, 3)
    assert str(late.text) == ""
    await mentor.next_of("peer-joined")

    await mentor.sync()  # the client's reaction: sync, then send everything unacked again
    resend = await mentor.send_update(mentor.doc.get_update())
    assert await mentor.next_of("notes-ack", "notes-error") == {
        "type": "notes-ack",
        "doc": "shared",
        "seq": resend,
    }
    await mentee.until_contains("first second")
    body = await (await cast.mentee.get(f"/api/v1/sessions/{cast.session_id}/notes")).json()
    assert body["text"] == "first second"


async def test_edits_queued_during_a_stall_catch_up_without_rate_limiting(cast: Cast) -> None:
    mentor = await NotesClient.open(cast.mentor, cast.session_id, 1)
    count = 150  # five seconds of typing at 30 updates a second
    async with notes_table_locked(cast.mentor.app[keys.ENGINE]):
        for i in range(count):
            await mentor.send_edit(i, "k")
        await asyncio.sleep(0.3)  # the first waits for its commit, the rest queue up
    answers = [
        await mentor.next_of("notes-ack", "notes-error", "error", wait=10) for _ in range(count)
    ]
    assert [a.get("code", a["type"]) for a in answers] == ["notes-ack"] * count
    assert [a["seq"] for a in answers] == list(range(1, count + 1))


async def test_an_oversized_update_is_refused_with_its_seq(cast: Cast) -> None:
    mentor = await NotesClient.open(cast.mentor, cast.session_id, 1)
    huge = base64.b64encode(b"\x01" * 70_000).decode()  # 93,336 characters: fits in a frame
    await mentor.ws.send_json(
        {"type": "notes-update", "doc": "shared", "update": huge, "seq": 41, "client_id": 1}
    )
    refused = await mentor.next_of("notes-error", "error")
    assert (refused["type"], refused["code"], refused["seq"]) == ("notes-error", "rejected", 41)
    assert "65536" in refused["message"]
    assert (await mentor.type(0, "still fine"))["type"] == "notes-ack"


async def test_while_a_commit_waits_a_resend_is_not_acked_and_sync_leaves_it_out(
    cast: Cast,
) -> None:
    first_tab = await NotesClient.open(cast.mentor, cast.session_id, 1)
    second_tab = await NotesClient.open(cast.mentor, cast.session_id, 1)  # after a reconnect
    first_tab.text.insert(0, "decided: ship on Friday")
    update = first_tab.doc.get_update()
    async with notes_table_locked(cast.mentor.app[keys.ENGINE]):  # the database is slow
        await first_tab.send_update(update)
        await asyncio.sleep(0.2)
        await second_tab.send_update(update)  # the same update, resent
        with pytest.raises(TimeoutError):
            await second_tab.next_of("notes-ack", "notes-error", wait=0.5)
        newcomer = await NotesClient.open(cast.mentee, cast.session_id, 2)
        assert str(newcomer.text) == ""  # nothing that is not stored yet
    for tab in (first_tab, second_tab):
        assert (await tab.next_of("notes-ack", "notes-error", wait=6))["type"] == "notes-ack"
    await newcomer.until_contains("ship on Friday")
