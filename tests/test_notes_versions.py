"""Notes are versioned when a session ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pycrdt import Doc, Text

from models.notes import list_versions
from server import keys
from signaling.notes_sync import NotesHub
from signaling.notes_versions import record_ended
from tests.conftest import Client, MakeClient, signup


async def test_a_version_is_recorded_once_when_the_session_ends(
    client: Client, make_client: MakeClient
) -> None:
    user = await signup(client, "v@example.org", roles=["mentor"])
    guest = await signup(await make_client(), "w@example.org")
    start = datetime.now(UTC) - timedelta(minutes=25)  # under way: it ends in 5 minutes
    created = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Ending",
            "kind": "one_on_one",
            "starts_at": start.isoformat(),
            "duration_minutes": 30,
            "participant_ids": [guest["id"]],
        },
    )
    session_id = (await created.json())["session"]["id"]
    db = client.app[keys.DB]
    hub = NotesHub(db)
    doc: Doc[Text] = Doc()
    doc.get("notes", type=Text).insert(0, "Final words")
    await hub.apply(session_id, "shared", user["id"], doc.get_update())

    ended_at = start + timedelta(minutes=30)
    assert (
        await record_ended(
            hub, db, ended_at - timedelta(minutes=5), ended_at - timedelta(seconds=1)
        )
        == 0
    )
    assert await record_ended(hub, db, ended_at - timedelta(minutes=1), ended_at) == 1
    assert await record_ended(hub, db, ended_at, ended_at + timedelta(minutes=1)) == 0
    await hub.close()
    async with db() as session:
        versions = await list_versions(session, session_id, "shared")
    assert [(v.label, v.text) for v in versions] == [("end of session", "Final words")]
    assert versions[0].contributors[0].author_id == user["id"]
