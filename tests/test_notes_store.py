"""Notes storage on a real SQLite file, schema built by the Alembic migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pycrdt import Doc, Text
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import models.registry  # noqa: F401  (every table the notes refer to)
from models import notes as store
from models.base import Base
from models.notes import NoteSnapshot, NoteUpdate
from models.notes_doc import TextChange, new_doc
from models.sessions import MentoringSession
from tests.conftest import seed_pair

NOTES_TABLES = {"note_updates", "note_snapshots"}


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
async def people(db: AsyncSession) -> tuple[int, int, int]:
    """(session id, mentor id, mentee id)."""
    return await seed_pair(db)


def edit(doc: Doc[Text], index: int, text: str = "", delete: int = 0) -> bytes:
    before = doc.get_state()
    notes = doc.get("notes", type=Text)
    if delete:
        del notes[index : index + delete]
    if text:
        notes.insert(index, text)
    return doc.get_update(before)


async def count(db: AsyncSession, model: type[NoteUpdate] | type[NoteSnapshot]) -> int:
    return await db.scalar(select(func.count()).select_from(model)) or 0


async def test_migration_matches_the_models(engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    ours = [d for d in differences if NOTES_TABLES & set(str(d).split("'"))]
    assert ours == []
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(c.dialect.get_table_names(c)))
    assert tables >= NOTES_TABLES


async def test_updates_round_trip(db: AsyncSession, people: tuple[int, int, int]) -> None:
    session_id, mentor, mentee = people
    doc = new_doc()
    await store.append_update(db, session_id, "shared", mentor, edit(doc, 0, "Goals: "))
    await store.append_update(db, session_id, "shared", mentee, edit(doc, 7, "ship it"))
    await db.commit()

    assert await store.load_text(db, session_id, "shared") == "Goals: ship it"
    stored = await store.load_notes(db, session_id, "shared")
    assert stored.updates_since_snapshot == 2
    assert await store.load_text(db, session_id, "private:1") == ""


async def test_compaction_preserves_content_and_folds_the_log(
    db: AsyncSession, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    doc = new_doc()
    for word in ("alpha ", "beta ", "gamma "):
        await store.append_update(db, session_id, "shared", mentor, edit(doc, 0, word))
    await store.append_update(db, session_id, "shared", mentor, edit(doc, 0, delete=6))
    await db.commit()
    before = await store.load_text(db, session_id, "shared")
    assert before == "beta alpha "

    snapshot = await store.compact(db, session_id, "shared")
    await db.commit()
    assert snapshot is not None and snapshot.label is None
    assert await count(db, NoteUpdate) == 0
    assert await store.load_text(db, session_id, "shared") == before

    # More edits after the snapshot load on top of it; a second compaction replaces the first.
    await store.append_update(db, session_id, "shared", mentor, edit(doc, 11, "delta"))
    await db.commit()
    assert await store.load_text(db, session_id, "shared") == "beta alpha delta"
    assert await store.compact(db, session_id, "shared") is not None
    await db.commit()
    assert await count(db, NoteSnapshot) == 1
    assert await store.load_text(db, session_id, "shared") == "beta alpha delta"
    assert await store.compact(db, session_id, "shared") is None


async def test_versions_and_who_changed_what(
    db: AsyncSession, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    doc = new_doc()
    first = edit(doc, 0, "Plan")
    await store.append_update(db, session_id, "shared", mentor, first, TextChange(inserted=4))
    await store.compact(db, session_id, "shared")  # an unlabelled snapshot in between
    second = edit(doc, 4, " agreed")
    await store.append_update(db, session_id, "shared", mentee, second, TextChange(inserted=7))
    await db.commit()
    await store.snapshot_session(db, session_id)
    await db.commit()

    third = edit(doc, 0, delete=4)
    await store.append_update(db, session_id, "shared", mentee, third, TextChange(deleted=4))
    await db.commit()
    await store.snapshot_session(db, session_id, label="after follow-up")
    await store.snapshot_session(db, session_id, label="after follow-up")  # idempotent
    await db.commit()

    versions = await store.list_versions(db, session_id, "shared")
    assert [(v.label, v.text) for v in versions] == [
        ("end of session", "Plan agreed"),
        ("after follow-up", " agreed"),
    ]
    first_authors = {c.author_id: (c.updates, c.chars_inserted) for c in versions[0].contributors}
    assert first_authors == {mentor: (1, 4), mentee: (1, 7)}
    assert [(c.author_id, c.chars_deleted) for c in versions[1].contributors] == [(mentee, 4)]

    summary = await store.author_summary(db, session_id, "shared")
    assert [(s.author_id, s.updates, s.chars_inserted, s.chars_deleted) for s in summary] == [
        (mentee, 2, 7, 4),
        (mentor, 1, 4, 0),
    ]
    assert all(s.first_at.tzinfo is not None for s in summary)
    assert await count(db, NoteUpdate) == 0


async def test_summary_counts_the_live_log(db: AsyncSession, people: tuple[int, int, int]) -> None:
    session_id, mentor, _ = people
    doc = new_doc()
    for _ in range(3):
        update = edit(doc, 0, "x")
        await store.append_update(db, session_id, "shared", mentor, update, TextChange(inserted=1))
    await db.commit()
    [summary] = await store.author_summary(db, session_id, "shared")
    assert (summary.author_id, summary.updates, summary.chars_inserted) == (mentor, 3, 3)
    assert summary.first_at <= summary.last_at


async def test_private_docs_are_stored_apart(
    db: AsyncSession, people: tuple[int, int, int]
) -> None:
    session_id, mentor, mentee = people
    shared, private = new_doc(), new_doc()
    await store.append_update(db, session_id, "shared", mentee, edit(shared, 0, "for everyone"))
    mine = f"private:{mentor}"
    await store.append_update(db, session_id, mine, mentor, edit(private, 0, "only me"))
    await db.commit()

    assert await store.load_text(db, session_id, "shared") == "for everyone"
    assert await store.load_text(db, session_id, mine) == "only me"
    assert await store.doc_names(db, session_id) == [mine, "shared"]
    snapshots = await store.snapshot_session(db, session_id)
    assert sorted(s.doc for s in snapshots) == [mine, "shared"]


async def test_deleting_the_session_deletes_its_notes(
    db: AsyncSession, people: tuple[int, int, int]
) -> None:
    session_id, mentor, _ = people
    doc = new_doc()
    await store.append_update(db, session_id, "shared", mentor, edit(doc, 0, "a"))
    await store.compact(db, session_id, "shared", label="end of session")
    await store.append_update(db, session_id, "shared", mentor, edit(doc, 0, "b"))
    await db.commit()

    await db.delete(await db.get_one(MentoringSession, session_id))
    await db.commit()
    assert await count(db, NoteUpdate) == 0
    assert await count(db, NoteSnapshot) == 0
