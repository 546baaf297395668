"""Notes over HTTP: the shared text, private notes, who changed what, and the exports."""

from __future__ import annotations

from pycrdt import Doc, Text

from server import keys
from signaling.notes_sync import NotesHub
from tests.conftest import JSON, Client, MakeClient, signup


def _typed(text: str, client_id: int) -> bytes:
    """A Yjs update of someone typing `text` into empty notes."""
    doc: Doc[Text] = Doc(client_id=client_id)
    notes = doc.get("notes", type=Text)
    notes += text
    return doc.get_update()


async def _session_with_notes(
    client: Client, make_client: MakeClient
) -> tuple[int, Client, int, int]:
    mentor = await signup(client, "nm@example.org", roles=["mentor"], name="Nia")
    mentee_client = await make_client()
    mentee = await signup(mentee_client, "ne@example.org", roles=["mentee"], name="Ola")
    created = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Notes & <things>",
            "starts_at": "2030-01-01T09:00:00Z",
            "duration_minutes": 30,
            "participant_ids": [mentee["id"]],
        },
    )
    session_id = (await created.json())["session"]["id"]
    await mentee_client.post(f"/api/v1/sessions/{session_id}/accept", headers=JSON)
    hub = NotesHub(client.app[keys.DB])
    try:
        await hub.apply(
            session_id,
            "shared",
            mentee["id"],
            _typed("Discussed <script>alert(1)</script> goals\n", 11),
        )
        await hub.apply(
            session_id, f"private:{mentor['id']}", mentor["id"], _typed("Ola seems nervous", 12)
        )
    finally:
        await hub.close()
    return session_id, mentee_client, mentor["id"], mentee["id"]


async def test_notes_text_authors_and_private_notes(
    client: Client, make_client: MakeClient
) -> None:
    session_id, mentee_client, mentor_id, mentee_id = await _session_with_notes(client, make_client)
    mine = await (await client.get(f"/api/v1/sessions/{session_id}/notes")).json()
    assert mine["text"] == "Discussed <script>alert(1)</script> goals\n"
    assert mine["private_text"] == "Ola seems nervous"
    assert [(a["author_id"], a["name"]) for a in mine["authors"]] == [(mentee_id, "Ola")]
    theirs = await (await mentee_client.get(f"/api/v1/sessions/{session_id}/notes")).json()
    assert theirs["text"] == mine["text"]
    assert theirs["private_text"] == ""  # the mentor's private notes stay private
    assert "nervous" not in str(theirs)


async def test_exports_and_escaping(client: Client, make_client: MakeClient) -> None:
    session_id, mentee_client, _, mentee_id = await _session_with_notes(client, make_client)
    await client.post(f"/api/v1/sessions/{session_id}/agenda", json={"title": "Goals"})
    await client.post(
        f"/api/v1/sessions/{session_id}/action-items",
        json={"title": "Write plan", "owner_id": mentee_id, "due_on": "2030-01-08"},
    )
    md = await client.get(f"/api/v1/sessions/{session_id}/export.md")
    assert md.status == 200 and md.content_type == "text/markdown"
    text = await md.text()
    assert text.startswith("# Notes & <things>\n")
    assert "- [ ] Goals" in text
    assert "Discussed <script>alert(1)</script> goals" in text
    assert "- [ ] Write plan (Ola, due 2030-01-08)" in text
    assert "nervous" not in text

    page = await (await mentee_client.get(f"/sessions/{session_id}/export")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Write plan" in page


async def test_outsiders_get_404_on_notes_and_exports(
    client: Client, make_client: MakeClient
) -> None:
    session_id, *_ = await _session_with_notes(client, make_client)
    outsider = await make_client()
    await signup(outsider, "nx@example.org")
    for path in (
        f"/api/v1/sessions/{session_id}/notes",
        f"/api/v1/sessions/{session_id}/export.md",
        f"/sessions/{session_id}/export",
    ):
        response = await outsider.get(path, headers=JSON)
        assert response.status == 404, path
        assert "Discussed" not in await response.text()
