"""Session notes as a CRDT document: pure pycrdt logic, no I/O.

The notes are a Yjs document (update format v1) holding one `Text` named "notes". Browsers run
Yjs, the server runs pycrdt; both speak the same binary updates and state vectors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pycrdt import Doc, Text, TextEvent, TransactionEvent, get_update

TEXT_NAME = "notes"
SHARED_DOC = "shared"
PRIVATE_PREFIX = "private:"

MAX_UPDATE_BYTES = 64 * 1024
MAX_DOC_BYTES = 1024 * 1024
MAX_STATE_VECTOR_BYTES = 16 * 1024

_PRIVATE_NAME = re.compile(r"private:([1-9][0-9]{0,18})")


class NotesError(Exception):
    """Base of every error about session notes."""


class InvalidDocName(NotesError):
    """The doc name is neither "shared" nor "private:<user id>"."""


class NotesForbidden(NotesError):
    """The user may not open this doc: it is someone else's private notes."""


class UpdateRejected(NotesError):
    """An incoming update was refused; the document was left unchanged."""


class MissingDependencies(UpdateRejected):
    """The update builds on changes the document lacks; yrs parked it inside, so reload the doc."""


@dataclass(frozen=True, slots=True)
class TextChange:
    """What one update did to the notes text: characters inserted and deleted."""

    inserted: int = 0
    deleted: int = 0

    @property
    def is_empty(self) -> bool:
        return self.inserted == 0 and self.deleted == 0


def private_doc_name(owner_id: int) -> str:
    """The name of a user's private notes doc within a session."""
    return f"{PRIVATE_PREFIX}{owner_id}"


def private_owner(doc_name: str) -> int | None:
    """The owner of a private doc, None for the shared doc; InvalidDocName for anything else."""
    if doc_name == SHARED_DOC:
        return None
    match = _PRIVATE_NAME.fullmatch(doc_name)
    if match is None:
        raise InvalidDocName(f"unknown notes doc {doc_name!r}: use 'shared' or 'private:<user id>'")
    return int(match.group(1))


def check_access(doc_name: str, user_id: int) -> None:
    """Private notes are only ever seen by their owner; InvalidDocName for unknown names."""
    owner = private_owner(doc_name)
    if owner is not None and owner != user_id:
        raise NotesForbidden(f"notes doc {doc_name!r} is private to another user")


def new_doc() -> Doc[Text]:
    """An empty notes document."""
    doc: Doc[Text] = Doc()
    doc.get(TEXT_NAME, type=Text)
    return doc


def doc_from_updates(*updates: bytes) -> Doc[Text]:
    """A notes document built from stored updates (a snapshot state is an update too)."""
    doc = new_doc()
    for update in updates:
        doc.apply_update(update)
    return doc


def notes_text(doc: Doc[Text]) -> str:
    """The Markdown text of a notes document."""
    return str(doc.get(TEXT_NAME, type=Text))


def text_of_state(state: bytes) -> str:
    """The Markdown text held by an encoded document state."""
    return notes_text(doc_from_updates(state))


def encode_state(doc: Doc[Text]) -> bytes:
    """The whole document as one update (what a snapshot stores)."""
    return doc.get_update()


def compact_state(*updates: bytes) -> bytes:
    """Fold updates into one garbage-collected document state."""
    return encode_state(doc_from_updates(*updates))


def state_vector(doc: Doc[Text]) -> bytes:
    """The document's state vector: which changes of which client it already holds."""
    return doc.get_state()


def diff_for(doc: Doc[Text], remote_state_vector: bytes | None) -> bytes:
    """The update a peer with `remote_state_vector` lacks (everything when it is None or empty)."""
    if not remote_state_vector:
        return doc.get_update()
    if len(remote_state_vector) > MAX_STATE_VECTOR_BYTES:
        raise UpdateRejected(f"state vector of {len(remote_state_vector)} bytes is too large")
    with _refused("malformed state vector"):
        decode_state_vector(remote_state_vector)
        return doc.get_update(remote_state_vector)


def decode_state_vector(state: bytes) -> dict[int, int]:
    """Decode a Yjs state vector into {client id: next clock}; ValueError when malformed."""
    pos = 0

    def read_uint() -> int:
        nonlocal pos
        value, shift = 0, 0
        while True:
            if pos >= len(state):
                raise ValueError("state vector ends mid-number")
            byte = state[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ValueError("state vector number too long")

    entries = {}
    for _ in range(read_uint()):
        client = read_uint()
        entries[client] = read_uint()
    if pos != len(state):
        raise ValueError("trailing bytes after state vector")
    return entries


def check_update_size(update: bytes, doc_bytes: int) -> None:
    """Refuse an empty or oversized update, or one that would grow the doc past its cap."""
    if not update:
        raise UpdateRejected("empty update")
    if len(update) > MAX_UPDATE_BYTES:
        raise UpdateRejected(
            f"update of {len(update)} bytes exceeds the {MAX_UPDATE_BYTES}-byte limit"
        )
    if doc_bytes + len(update) > MAX_DOC_BYTES:
        raise UpdateRejected(f"notes would exceed the {MAX_DOC_BYTES}-byte document limit")


def apply_update(doc: Doc[Text], update: bytes) -> TextChange | None:
    """Apply a peer's update; returns what it changed, or None when it changed nothing.

    Raises UpdateRejected, leaving `doc` unchanged, when the bytes are not a Yjs update. Raises
    MissingDependencies when the update builds on changes `doc` lacks: yrs has then parked it
    inside `doc` as pending, so the caller must discard `doc` and reload it from storage.
    """
    inserted = deleted = 0
    is_changed = False

    def on_text(event: TextEvent) -> None:
        nonlocal inserted, deleted
        for op in event.delta:  # type: ignore[attr-defined]  # set in pycrdt's __slots__
            insert = op.get("insert")
            inserted += len(insert) if isinstance(insert, str) else 0
            deleted += int(op.get("delete", 0))

    def on_transaction(event: TransactionEvent) -> None:
        nonlocal is_changed
        is_changed = True

    text = doc.get(TEXT_NAME, type=Text)
    text_subscription = text.observe(on_text)
    doc_subscription = doc.observe(on_transaction)
    try:
        with _refused("not a Yjs update"):
            doc.apply_update(update)
    finally:
        text.unobserve(text_subscription)
        doc.unobserve(doc_subscription)

    # What the doc still lacks of the update after applying it: structs left over were parked.
    leftover = get_update(update, doc.get_state())
    if leftover[:1] != b"\x00":
        raise MissingDependencies("update builds on changes the server does not have; sync first")
    if not is_changed:
        return None
    return TextChange(inserted=inserted, deleted=deleted)


@contextmanager
def _refused(reason: str) -> Iterator[None]:
    """Turn a decoding error, or a Rust panic surfacing through pyo3, into UpdateRejected."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, UpdateRejected):
        raise
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        raise UpdateRejected(f"{reason}: {exc}") from None
