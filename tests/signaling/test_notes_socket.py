"""Live notes over /ws/sessions/{id}/notes, with pycrdt clients speaking the documented protocol."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from datetime import timedelta
from typing import Any

from aiohttp import ClientWebSocketResponse, WSMsgType
from pycrdt import Doc, Text

from server.app import create_app
from tests.conftest import Client, ClientFactory, MakeClient, signup
from tests.signaling.conftest import Cast, receive, schedule


class NotesClient:
    """A participant's notes editor: a pycrdt doc synced over the notes socket."""

    def __init__(self, ws: ClientWebSocketResponse, client_id: int, doc: str = "shared") -> None:
        self.ws = ws
        self.doc_name = doc
        self.doc: Doc[Text] = Doc(client_id=client_id)
        self.text = self.doc.get("notes", type=Text)
        self.seq = 0
        self.authors: set[int] = set()

    @classmethod
    async def open(
        cls, client: Client, session_id: int, client_id: int, doc: str = "shared"
    ) -> NotesClient:
        ws = await client.ws_connect(f"/ws/sessions/{session_id}/notes")
        await ws.send_json({"type": "join"})
        await receive(ws, "welcome")
        editor = cls(ws, client_id, doc)
        await editor.sync()
        return editor

    async def sync(self) -> None:
        vector = base64.b64encode(self.doc.get_state()).decode()
        await self.ws.send_json(
            {"type": "notes-sync", "doc": self.doc_name, "state_vector": vector}
        )
        reply = await receive(self.ws, "notes-sync")
        self.doc.apply_update(base64.b64decode(reply["update"]))

    async def type(self, at: int, words: str) -> dict[str, Any]:
        """Insert `words` and send the update; returns the server's ack."""
        await self.send_edit(at, words)
        return await self.next_of("notes-ack", "notes-error")

    async def send_edit(self, at: int, words: str) -> int:
        """Insert `words` and send the update without waiting; returns its seq."""
        before = self.doc.get_state()
        self.text.insert(at, words)
        return await self.send_update(self.doc.get_update(before))

    async def send_update(self, update: bytes) -> int:
        self.seq += 1
        await self.ws.send_json(
            {
                "type": "notes-update",
                "doc": self.doc_name,
                "update": base64.b64encode(update).decode(),
                "seq": self.seq,
                "client_id": self.doc.client_id,
            }
        )
        return self.seq

    async def next_of(self, *kinds: str, wait: float = 3.0) -> dict[str, Any]:
        async with asyncio.timeout(wait):
            while True:
                msg = await self.ws.receive()
                assert msg.type == WSMsgType.TEXT, msg
                data: dict[str, Any] = json.loads(msg.data)
                if data["type"] == "notes-update":
                    self.doc.apply_update(base64.b64decode(data["update"]))
                    self.authors.add(data["user_id"])
                elif data["type"] == "ping":
                    await self.ws.send_json({"type": "pong"})
                if data["type"] in kinds:
                    return data

    async def until_contains(self, words: str, wait: float = 3.0) -> None:
        """Apply relayed updates until the text holds `words`."""
        async with asyncio.timeout(wait):
            while words not in str(self.text):
                await self.next_of("notes-update")


async def test_simultaneous_typing_merges_identically(cast: Cast) -> None:
    mentor = await NotesClient.open(cast.mentor, cast.session_id, 1)
    mentee = await NotesClient.open(cast.mentee, cast.session_id, 2)
    started = time.monotonic()
    acks = await asyncio.gather(
        mentor.type(0, "Mentor: goals for Q1. "), mentee.type(0, "Mentee: ask about CV. ")
    )
    assert [a["type"] for a in acks] == ["notes-ack", "notes-ack"]
    await asyncio.gather(
        mentor.until_contains("Mentee: ask"), mentee.until_contains("Mentor: goals")
    )
    assert time.monotonic() - started < 1.0
    assert (mentor.authors, mentee.authors) == ({cast.mentee_id}, {cast.mentor_id})
    assert str(mentor.text) == str(mentee.text)
    assert "Mentor: goals for Q1. " in str(mentor.text)
    assert "Mentee: ask about CV. " in str(mentor.text)
    body = await (await cast.mentee.get(f"/api/v1/sessions/{cast.session_id}/notes")).json()
    assert body["text"] == str(mentor.text)


async def test_notes_survive_a_restart_and_offline_edits_merge(
    cast: Cast, aiohttp_client: ClientFactory
) -> None:
    mentor = await NotesClient.open(cast.mentor, cast.session_id, 1)
    await mentor.type(0, "Kept across restarts. ")
    await mentor.ws.close()
    await cast.mentor.server.close()  # the server stops...
    from server import keys

    restarted = await aiohttp_client(create_app(cast.mentor.app[keys.SETTINGS]))
    # ...and a new one on the same database has everything that was acknowledged.
    for email in ("mentor@example.org", "mentee@example.org"):
        await restarted.post(
            "/api/v1/auth/login", json={"email": email, "password": "correct horse battery"}
        )
    offline = NotesClient(None, 3)  # type: ignore[arg-type]
    offline.text.insert(0, "Written offline. ")
    online = await NotesClient.open(restarted, cast.session_id, 4)
    assert str(online.text) == "Kept across restarts. "
    offline.ws = await restarted.ws_connect(f"/ws/sessions/{cast.session_id}/notes")
    await offline.ws.send_json({"type": "join"})
    await receive(offline.ws, "welcome")
    await offline.sync()
    update = offline.doc.get_update()  # everything it has, including the offline edit
    await offline.ws.send_json(
        {
            "type": "notes-update",
            "doc": "shared",
            "seq": 1,
            "update": base64.b64encode(update).decode(),
        }
    )
    assert (await offline.next_of("notes-ack", "notes-error"))["type"] == "notes-ack"
    await online.until_contains("Written offline. ")
    assert str(online.text) == str(offline.text)
    assert "Written offline. " in str(online.text) and "Kept across restarts. " in str(online.text)


async def test_private_notes_stay_private_and_garbage_is_refused(cast: Cast) -> None:
    mentor_private = await NotesClient.open(
        cast.mentor, cast.session_id, 1, doc=f"private:{cast.mentor_id}"
    )
    mentee = await NotesClient.open(cast.mentee, cast.session_id, 2)
    await mentor_private.type(0, "secret")
    try:
        await mentee.next_of("notes-update", wait=0.5)
        raise AssertionError("a private update was relayed")
    except TimeoutError:
        pass
    await mentee.ws.send_json({"type": "notes-sync", "doc": f"private:{cast.mentor_id}"})
    refused = await mentee.next_of("notes-error")
    assert refused["code"] == "forbidden"
    await mentee.ws.send_json(
        {
            "type": "notes-update",
            "doc": "shared",
            "seq": 9,
            "update": base64.b64encode(b"\x00garbage").decode(),
        }
    )
    rejected = await mentee.next_of("notes-error")
    assert (rejected["code"], rejected["seq"]) == ("rejected", 9)
    assert (await mentee.type(0, "still works"))["type"] == "notes-ack"


async def test_outsiders_refused_and_notes_open_outside_the_call_window(
    client: Client, make_client: MakeClient
) -> None:
    await signup(client, "early@example.org", roles=["mentor"])
    guest = await make_client()
    guest_user = await signup(guest, "guest@example.org")
    later = await schedule(client, guest_user["id"], starts_in=timedelta(days=3), guest=guest)
    assert (await client.get(f"/ws/rooms/{later}")).status in (409, 400)
    editor = await NotesClient.open(guest, later, 5)
    assert (await editor.type(0, "Prep: questions"))["type"] == "notes-ack"
    outsider = await make_client()
    await signup(outsider, "out@example.org")
    response = await outsider.get(f"/ws/sessions/{later}/notes")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "room_not_found"
