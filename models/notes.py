"""Session notes storage: an append-only update log folded into snapshots, and version history.

Every accepted CRDT update is one `NoteUpdate` row (with its author), so nothing acknowledged is
lost. Compaction folds the log into a `NoteSnapshot` and deletes the folded rows, keeping a
per-author tally of what they did. Labelled snapshots ("end of session") are the version history;
unlabelled ones only exist to keep loading fast, and are replaced at each compaction.

Query functions take an AsyncSession first and only flush: the caller owns the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from models.base import Base, utcnow
from models.notes_doc import TextChange, compact_state, text_of_state

END_OF_SESSION = "end of session"


class NoteUpdate(Base):
    """One accepted Yjs update to a notes doc, in arrival order (the id)."""

    __tablename__ = "note_updates"
    # AUTOINCREMENT: SQLite would otherwise reuse the ids of compacted (deleted) rows, and
    # snapshots record how far they got by id.
    __table_args__ = (
        Index("ix_note_updates_session_doc", "session_id", "doc", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    doc: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    update: Mapped[bytes] = mapped_column(LargeBinary)
    chars_inserted: Mapped[int] = mapped_column(default=0)
    chars_deleted: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoteSnapshot(Base):
    """A notes doc's whole state after folding every update up to `up_to_update_id`.

    `contributions` tallies, per author, the updates folded in since the previous labelled
    snapshot (a list of AuthorSummary.to_json() dicts), so "who changed what" survives compaction.
    """

    __tablename__ = "note_snapshots"
    __table_args__ = (
        Index("ix_note_snapshots_session_doc", "session_id", "doc", "up_to_update_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    doc: Mapped[str] = mapped_column(String(40))
    state: Mapped[bytes] = mapped_column(LargeBinary)
    up_to_update_id: Mapped[int] = mapped_column(default=0)
    label: Mapped[str | None] = mapped_column(String(120), default=None)
    contributions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True, slots=True)
class StoredNotes:
    """What is stored for one doc: the latest snapshot state, then the updates after it."""

    updates: list[bytes]
    last_update_id: int
    updates_since_snapshot: int

    @property
    def stored_bytes(self) -> int:
        return sum(len(update) for update in self.updates)


@dataclass(frozen=True, slots=True)
class AuthorSummary:
    """Who changed the notes, how often and how much."""

    author_id: int | None
    updates: int
    chars_inserted: int
    chars_deleted: int
    first_at: datetime
    last_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "author_id": self.author_id,
            "updates": self.updates,
            "chars_inserted": self.chars_inserted,
            "chars_deleted": self.chars_deleted,
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AuthorSummary:
        return cls(
            author_id=raw["author_id"],
            updates=raw["updates"],
            chars_inserted=raw["chars_inserted"],
            chars_deleted=raw["chars_deleted"],
            first_at=datetime.fromisoformat(raw["first_at"]),
            last_at=datetime.fromisoformat(raw["last_at"]),
        )

    def plus(self, other: AuthorSummary) -> AuthorSummary:
        return AuthorSummary(
            author_id=self.author_id,
            updates=self.updates + other.updates,
            chars_inserted=self.chars_inserted + other.chars_inserted,
            chars_deleted=self.chars_deleted + other.chars_deleted,
            first_at=min(self.first_at, other.first_at),
            last_at=max(self.last_at, other.last_at),
        )


@dataclass(frozen=True, slots=True)
class NoteVersion:
    """A labelled snapshot: the notes as they stood, and who changed them since the last one."""

    snapshot_id: int
    label: str
    created_at: datetime
    text: str
    contributors: list[AuthorSummary]


async def append_update(
    session: AsyncSession,
    session_id: int,
    doc: str,
    author_id: int | None,
    update: bytes,
    change: TextChange | None = None,
) -> NoteUpdate:
    """Add an accepted update to the log."""
    change = change or TextChange()
    row = NoteUpdate(
        session_id=session_id,
        doc=doc,
        author_id=author_id,
        update=update,
        chars_inserted=change.inserted,
        chars_deleted=change.deleted,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


async def load_notes(session: AsyncSession, session_id: int, doc: str) -> StoredNotes:
    """The latest snapshot's state followed by every later update, ready to apply in order."""
    snapshot = await _latest_snapshot(session, session_id, doc)
    up_to = snapshot.up_to_update_id if snapshot else 0
    rows = (
        await session.execute(
            select(NoteUpdate.id, NoteUpdate.update)
            .where(NoteUpdate.session_id == session_id, NoteUpdate.doc == doc)
            .where(NoteUpdate.id > up_to)
            .order_by(NoteUpdate.id)
        )
    ).all()
    updates = ([snapshot.state] if snapshot else []) + [row.update for row in rows]
    last_id = rows[-1].id if rows else up_to
    return StoredNotes(updates=updates, last_update_id=last_id, updates_since_snapshot=len(rows))


async def load_text(session: AsyncSession, session_id: int, doc: str) -> str:
    """The current Markdown text of a notes doc, straight from storage."""
    stored = await load_notes(session, session_id, doc)
    return text_of_state(compact_state(*stored.updates))


async def doc_names(session: AsyncSession, session_id: int) -> list[str]:
    """Every notes doc that has content in a session ("shared", "private:<id>", ...)."""
    updates = select(NoteUpdate.doc).where(NoteUpdate.session_id == session_id)
    snapshots = select(NoteSnapshot.doc).where(NoteSnapshot.session_id == session_id)
    names = (await session.scalars(updates.union(snapshots))).all()
    return sorted(names)


async def compact(
    session: AsyncSession, session_id: int, doc: str, *, label: str | None = None
) -> NoteSnapshot | None:
    """Fold the update log into a new snapshot and delete the folded updates.

    With a label the snapshot becomes a version; without one it replaces the previous unlabelled
    snapshot. Returns None when there was nothing to fold (or the same version already exists).
    """
    latest = await _latest_snapshot(session, session_id, doc)
    up_to = latest.up_to_update_id if latest else 0
    rows = (
        await session.scalars(
            select(NoteUpdate)
            .where(NoteUpdate.session_id == session_id, NoteUpdate.doc == doc)
            .where(NoteUpdate.id > up_to)
            .order_by(NoteUpdate.id)
        )
    ).all()
    if not rows and (label is None or latest is None or latest.label == label):
        return None

    unlabelled = (
        await session.scalars(
            select(NoteSnapshot).where(
                NoteSnapshot.session_id == session_id,
                NoteSnapshot.doc == doc,
                NoteSnapshot.label.is_(None),
            )
        )
    ).all()
    tallies = [AuthorSummary.from_json(raw) for old in unlabelled for raw in old.contributions]
    tallies += _summaries_of(rows)

    base = [latest.state] if latest else []
    snapshot = NoteSnapshot(
        session_id=session_id,
        doc=doc,
        state=compact_state(*base, *(row.update for row in rows)),
        up_to_update_id=rows[-1].id if rows else up_to,
        label=label,
        contributions=[summary.to_json() for summary in _merge_summaries(tallies)],
        created_at=utcnow(),
    )
    for old in unlabelled:
        await session.delete(old)
    session.add(snapshot)
    await session.execute(
        delete(NoteUpdate).where(
            NoteUpdate.session_id == session_id,
            NoteUpdate.doc == doc,
            NoteUpdate.id <= snapshot.up_to_update_id,
        )
    )
    await session.flush()
    return snapshot


async def snapshot_session(
    session: AsyncSession, session_id: int, label: str = END_OF_SESSION
) -> list[NoteSnapshot]:
    """Record a labelled version of every notes doc of a session (e.g. when the session ends)."""
    snapshots = []
    for doc in await doc_names(session, session_id):
        snapshot = await compact(session, session_id, doc, label=label)
        if snapshot is not None:
            snapshots.append(snapshot)
    return snapshots


async def list_versions(session: AsyncSession, session_id: int, doc: str) -> list[NoteVersion]:
    """The labelled versions of a notes doc, oldest first."""
    snapshots = (
        await session.scalars(
            select(NoteSnapshot)
            .where(NoteSnapshot.session_id == session_id, NoteSnapshot.doc == doc)
            .where(NoteSnapshot.label.is_not(None))
            .order_by(NoteSnapshot.up_to_update_id, NoteSnapshot.id)
        )
    ).all()
    return [
        NoteVersion(
            snapshot_id=snapshot.id,
            label=snapshot.label or "",
            created_at=snapshot.created_at,
            text=text_of_state(snapshot.state),
            contributors=[AuthorSummary.from_json(raw) for raw in snapshot.contributions],
        )
        for snapshot in snapshots
    ]


async def author_summary(session: AsyncSession, session_id: int, doc: str) -> list[AuthorSummary]:
    """Who changed a notes doc over its whole life, most active first."""
    snapshots = (
        await session.scalars(
            select(NoteSnapshot.contributions).where(
                NoteSnapshot.session_id == session_id, NoteSnapshot.doc == doc
            )
        )
    ).all()
    tallies = [AuthorSummary.from_json(raw) for contributions in snapshots for raw in contributions]
    live = await session.execute(
        select(
            NoteUpdate.author_id,
            func.count(),
            func.sum(NoteUpdate.chars_inserted),
            func.sum(NoteUpdate.chars_deleted),
            func.min(NoteUpdate.created_at),
            func.max(NoteUpdate.created_at),
        )
        .where(NoteUpdate.session_id == session_id, NoteUpdate.doc == doc)
        .group_by(NoteUpdate.author_id)
    )
    tallies += [
        AuthorSummary(author, count, inserted or 0, deleted or 0, first_at, last_at)
        for author, count, inserted, deleted, first_at, last_at in live.all()
    ]
    merged = _merge_summaries(tallies)
    return sorted(merged, key=lambda s: (-(s.chars_inserted + s.chars_deleted), -s.updates))


async def _latest_snapshot(session: AsyncSession, session_id: int, doc: str) -> NoteSnapshot | None:
    return await session.scalar(
        select(NoteSnapshot)
        .where(NoteSnapshot.session_id == session_id, NoteSnapshot.doc == doc)
        .order_by(NoteSnapshot.up_to_update_id.desc(), NoteSnapshot.id.desc())
        .limit(1)
    )


def _summaries_of(rows: Sequence[NoteUpdate]) -> list[AuthorSummary]:
    return [
        AuthorSummary(
            author_id=row.author_id,
            updates=1,
            chars_inserted=row.chars_inserted,
            chars_deleted=row.chars_deleted,
            first_at=row.created_at,
            last_at=row.created_at,
        )
        for row in rows
    ]


def _merge_summaries(tallies: list[AuthorSummary]) -> list[AuthorSummary]:
    by_author: dict[int | None, AuthorSummary] = {}
    for tally in tallies:
        known = by_author.get(tally.author_id)
        by_author[tally.author_id] = tally if known is None else known.plus(tally)
    return list(by_author.values())
