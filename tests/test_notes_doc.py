"""The pure CRDT side of session notes, including interop with the vendored Yjs bundle."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pycrdt import Doc, Text

from models.notes_doc import (
    MAX_DOC_BYTES,
    MAX_UPDATE_BYTES,
    InvalidDocName,
    MissingDependencies,
    NotesForbidden,
    TextChange,
    UpdateRejected,
    apply_update,
    check_access,
    check_update_size,
    compact_state,
    decode_state_vector,
    diff_for,
    new_doc,
    notes_text,
    private_doc_name,
    private_owner,
    state_vector,
    text_of_state,
)

YJS_BUNDLE = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor" / "yjs.mjs"


def type_into(doc: Doc[Text], index: int, text: str) -> bytes:
    """Insert text locally, returning the update it produced."""
    before = doc.get_state()
    doc.get("notes", type=Text).insert(index, text)
    return doc.get_update(before)


def test_concurrent_typing_converges_with_both_texts() -> None:
    alice, bob = new_doc(), new_doc()
    apply_update(bob, type_into(alice, 0, "# Agenda\n"))
    # Both type at the same spot without seeing each other's edit.
    from_alice = type_into(alice, 9, "- goals from Alice\n")
    from_bob = type_into(bob, 9, "- blockers from Bob\n")
    assert apply_update(alice, from_bob) == TextChange(inserted=20)
    assert apply_update(bob, from_alice) == TextChange(inserted=19)

    assert notes_text(alice) == notes_text(bob)
    assert notes_text(alice).startswith("# Agenda\n")
    assert "- goals from Alice\n" in notes_text(alice)
    assert "- blockers from Bob\n" in notes_text(alice)


def test_deletions_are_counted() -> None:
    alice, bob = new_doc(), new_doc()
    apply_update(bob, type_into(alice, 0, "hello world"))
    before = alice.get_state()
    del alice.get("notes", type=Text)[0:6]
    assert apply_update(bob, alice.get_update(before)) == TextChange(deleted=6)
    assert notes_text(bob) == "world"


def test_resending_a_known_update_changes_nothing() -> None:
    alice, server = new_doc(), new_doc()
    update = type_into(alice, 0, "once")
    assert apply_update(server, update) is not None
    assert apply_update(server, update) is None
    assert notes_text(server) == "once"


@pytest.mark.parametrize("garbage", [b"garbage bytes", b"\x00", b"\xff" * 12, b"\x01\x01\x01"])
def test_garbage_is_rejected_and_doc_unchanged(garbage: bytes) -> None:
    server = new_doc()
    apply_update(server, type_into(new_doc(), 0, "kept"))
    before = server.get_update()
    with pytest.raises(UpdateRejected, match="not a Yjs update"):
        apply_update(server, garbage)
    assert server.get_update() == before
    assert notes_text(server) == "kept"


def test_truncated_update_is_rejected() -> None:
    update = type_into(new_doc(), 0, "some notes")
    server = new_doc()
    with pytest.raises(UpdateRejected):
        apply_update(server, update[:-4])
    assert notes_text(server) == ""


def test_update_building_on_unknown_changes_is_flagged() -> None:
    alice = new_doc()
    type_into(alice, 0, "first")
    second = type_into(alice, 5, " second")
    with pytest.raises(MissingDependencies, match="sync first"):
        apply_update(new_doc(), second)


def test_size_caps() -> None:
    check_update_size(b"x" * MAX_UPDATE_BYTES, doc_bytes=0)
    with pytest.raises(UpdateRejected, match="exceeds the 65536-byte limit"):
        check_update_size(b"x" * (MAX_UPDATE_BYTES + 1), doc_bytes=0)
    with pytest.raises(UpdateRejected, match="document limit"):
        check_update_size(b"x" * 10, doc_bytes=MAX_DOC_BYTES - 5)
    with pytest.raises(UpdateRejected, match="empty"):
        check_update_size(b"", doc_bytes=0)


def test_diff_for_a_state_vector_holds_only_what_is_missing() -> None:
    server, client = new_doc(), new_doc()
    apply_update(client, type_into(server, 0, "a" * 500))
    known = state_vector(client)
    type_into(server, 500, "tail")

    diff = diff_for(server, known)
    assert len(diff) < 100
    apply_update(client, diff)
    assert notes_text(client) == "a" * 500 + "tail"
    assert notes_text(doc_for(diff_for(server, None))) == notes_text(server)


def doc_for(update: bytes) -> Doc[Text]:
    doc = new_doc()
    apply_update(doc, update)
    return doc


def test_malformed_state_vector_is_rejected() -> None:
    with pytest.raises(UpdateRejected, match="malformed state vector"):
        diff_for(new_doc(), b"\x05\x80")


def test_decode_state_vector() -> None:
    doc = new_doc()
    type_into(doc, 0, "abc")
    assert decode_state_vector(state_vector(doc)) == {doc.client_id: 3}
    with pytest.raises(ValueError):
        decode_state_vector(b"\x01\x01")


def test_compacted_state_keeps_the_text() -> None:
    doc = new_doc()
    updates = [type_into(doc, 0, "world"), type_into(doc, 0, "hello ")]
    before = doc.get_state()
    del doc.get("notes", type=Text)[0:6]
    updates.append(doc.get_update(before))
    assert text_of_state(compact_state(*updates)) == "world"


def test_doc_names_and_access() -> None:
    assert private_doc_name(7) == "private:7"
    assert private_owner("private:7") == 7
    assert private_owner("shared") is None
    for bad in ("private:", "private:0", "private:x", "Shared", "private:7 ", "other"):
        with pytest.raises(InvalidDocName):
            private_owner(bad)
    check_access("shared", 3)
    check_access("private:3", 3)
    with pytest.raises(NotesForbidden):
        check_access("private:3", 4)


NODE_SCRIPT = """
const Y = await import(process.argv[1]);
const input = JSON.parse(process.argv[2]);
const doc = new Y.Doc();
Y.applyUpdate(doc, Buffer.from(input.update, "base64"));
const before = Y.encodeStateVector(doc);
doc.getText("notes").insert(0, input.prefix);
const out = {
  text: doc.getText("notes").toString(),
  update: Buffer.from(Y.encodeStateAsUpdate(doc, before)).toString("base64"),
};
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_yjs_bundle_and_pycrdt_exchange_updates() -> None:
    server = new_doc()
    from_python = type_into(server, 0, "typed in pycrdt")
    result = subprocess.run(
        [
            "node",
            "--input-type=module",
            "-e",
            NODE_SCRIPT,
            YJS_BUNDLE.as_uri(),
            json.dumps(
                {"update": base64.b64encode(from_python).decode(), "prefix": "typed in Yjs, "}
            ),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    out = json.loads(result.stdout)
    assert out["text"] == "typed in Yjs, typed in pycrdt"

    change = apply_update(server, base64.b64decode(out["update"]))
    assert change == TextChange(inserted=len("typed in Yjs, "))
    assert notes_text(server) == out["text"]


def test_yjs_bundle_keeps_its_license_header() -> None:
    head = YJS_BUNDLE.read_text(encoding="utf-8")[:2000]
    assert "Yjs 13." in head
    assert "MIT License" in head
