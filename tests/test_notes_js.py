"""notes.js under Node, two textareas talking the documented protocol to a real NotesHub.

Node runs web/static/js/notes.js with the vendored Yjs and stand-in textareas; this test plays the
WebSocket handler (sync, apply-then-ack-then-broadcast, typing relay) over stdin/stdout lines.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import models.registry  # noqa: F401  (every table the notes refer to)
from models.notes_doc import MissingDependencies, NotesError, UpdateRejected
from signaling.messages import MAX_MESSAGE_BYTES
from signaling.notes_sync import NotesHub
from tests.conftest import seed_pair

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

NOTES_JS = Path(__file__).resolve().parent.parent / "web" / "static" / "js" / "notes.js"

# Two "browsers" in one Node process. Lines in: {"to": name, "msg": {...}} or {"cmd": ...}.
# Lines out: {"from": name, "msg": {...}} (channel traffic) or {"state": {...}}.
NODE_HARNESS = r"""
import { createInterface } from "node:readline";
const { attachNotes } = await import(process.argv[1]);
const users = JSON.parse(process.argv[2]);

class FakeTextarea extends EventTarget {
  value = ""; selectionStart = 0; selectionEnd = 0;
  setSelectionRange(start, end) { this.selectionStart = start; this.selectionEnd = end; }
}
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const clients = {};
for (const [name, userId] of Object.entries(users)) {
  const textarea = new FakeTextarea();
  const listeners = [], openers = [];
  const client = { textarea, listeners, openers, isOnline: true, typing: [] };
  const channel = {
    send(msg) { if (!client.isOnline) throw new Error("offline"); out({ from: name, msg }); },
    onMessage(cb) { listeners.push(cb); },
    onOpen(cb) { openers.push(cb); },
  };
  client.notes = attachNotes(textarea, channel, {
    userId, typingTimeoutMs: 60000, onTyping: (ids) => { client.typing = ids; },
  });
  clients[name] = client;
}
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  const client = clients[cmd.to ?? cmd.client];
  if (cmd.msg) {
    if (client.isOnline) for (const cb of client.listeners) cb(cmd.msg);
  } else if (cmd.cmd === "type") {  // what a browser does when the user types or deletes
    const { textarea } = client;
    const at = cmd.at ?? textarea.value.length, remove = cmd.remove ?? 0, text = cmd.text ?? "";
    textarea.value = textarea.value.slice(0, at) + text + textarea.value.slice(at + remove);
    textarea.setSelectionRange(at + text.length, at + text.length);
    textarea.dispatchEvent(new Event("input"));
  } else if (cmd.cmd === "caret") {
    client.textarea.setSelectionRange(cmd.at, cmd.at);
  } else if (cmd.cmd === "offline") {
    client.isOnline = false;
  } else if (cmd.cmd === "online") {
    client.isOnline = true;
    for (const cb of client.openers) cb();
  } else if (cmd.cmd === "state") {
    const state = {};
    for (const [name, c] of Object.entries(clients)) {
      state[name] = { text: c.textarea.value, caret: c.textarea.selectionStart,
        pending: c.notes.pendingCount, synced: c.notes.isSynced, typing: c.typing,
        ytext: c.notes.ytext.toString() };
    }
    out({ state });
  }
}
for (const client of Object.values(clients)) client.notes.destroy();
process.exit(0);
"""


class Browsers:
    """The Node process, plus the server side of the protocol for each of its clients."""

    def __init__(self, hub: NotesHub, session_id: int, users: dict[str, int]) -> None:
        self.hub, self.session_id, self.users = hub, session_id, users
        self.online = set(users)
        self.joined: set[str] = set()
        self.states: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.process: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            "node",
            "--input-type=module",
            "-e",
            NODE_HARNESS,
            NOTES_JS.as_uri(),
            json.dumps(self.users),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,  # state lines carry whole texts
        )
        self.reader = asyncio.create_task(self._read())

    async def stop(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        await asyncio.wait_for(self.process.wait(), 10)
        if self.reader is not None:
            await self.reader
        for _ in self.joined:
            await self.hub.leave(self.session_id, "shared")

    async def command(self, **cmd: Any) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(json.dumps(cmd).encode() + b"\n")
        await self.process.stdin.drain()

    async def state(self) -> dict[str, Any]:
        await self.command(cmd="state")
        return await asyncio.wait_for(self.states.get(), 10)

    async def until(self, is_done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll the browsers' state until `is_done`, failing after 5 s."""
        for _ in range(250):
            state = await self.state()
            if is_done(state):
                return state
            await asyncio.sleep(0.02)
        brief = {
            name: {**c, "text": c["text"][:120], "ytext": c["ytext"][:120]}
            for name, c in state.items()
        }
        raise AssertionError(f"browsers never got there: {brief}")

    async def go_offline(self, name: str) -> None:
        self.online.discard(name)
        await self.command(cmd="offline", client=name)

    async def go_online(self, name: str) -> None:
        self.online.add(name)
        await self.command(cmd="online", client=name)

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            event = json.loads(line)
            if "state" in event:
                await self.states.put(event["state"])
            elif event["from"] in self.online:
                if len(line) > MAX_MESSAGE_BYTES:  # as the signaling handler does
                    error = {"type": "error", "code": "too_large", "for": event["msg"]["type"]}
                    await self._send(event["from"], error)
                else:
                    await self._handle(event["from"], event["msg"])

    async def _send(self, name: str, msg: dict[str, Any]) -> None:
        if name in self.online:
            await self.command(to=name, msg=msg)

    async def _handle(self, name: str, msg: dict[str, Any]) -> None:
        """What the lead's WebSocket handler does with each notes message."""
        user_id, doc = self.users[name], msg["doc"]
        others = [other for other in self.users if other != name]
        try:
            if msg["type"] == "notes-sync":
                if name not in self.joined:
                    self.hub.join(self.session_id, doc, user_id)
                    self.joined.add(name)
                vector = base64.b64decode(msg["state_vector"])
                diff = await self.hub.sync(self.session_id, doc, user_id, vector)
                server_vector = await self.hub.state_vector(self.session_id, doc, user_id)
                await self._send(
                    name,
                    {
                        "type": "notes-sync",
                        "doc": doc,
                        "update": base64.b64encode(diff).decode(),
                        "state_vector": base64.b64encode(server_vector).decode(),
                    },
                )
            elif msg["type"] == "notes-update":
                update = base64.b64decode(msg["update"])
                await self.hub.apply(self.session_id, doc, user_id, update)
                await self._send(name, {"type": "notes-ack", "doc": doc, "seq": msg["seq"]})
                relayed = {**msg, "user_id": user_id}
                del relayed["seq"]
                for other in others:
                    await self._send(other, relayed)
            elif msg["type"] == "notes-typing":
                for other in others:
                    await self._send(other, {**msg, "user_id": user_id})
        except NotesError as exc:
            code = "out_of_sync" if isinstance(exc, MissingDependencies) else "rejected"
            assert isinstance(exc, UpdateRejected)
            await self._send(
                name,
                {
                    "type": "notes-error",
                    "doc": doc,
                    "seq": msg.get("seq"),
                    "code": code,
                    "message": str(exc),
                },
            )


@pytest.fixture
async def browsers(engine: AsyncEngine) -> AsyncIterator[Browsers]:
    factory = async_sessionmaker(engine, expire_on_commit=False)
    users = await _seed(factory)
    hub = NotesHub(factory)
    browsers = Browsers(hub, users.pop("session"), users)
    await browsers.start()
    yield browsers
    await browsers.stop()
    await hub.close()


async def _seed(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with factory() as db:
        session_id, alice, bob = await seed_pair(db)
    return {"alice": alice, "bob": bob, "session": session_id}


def converged(text: str) -> Callable[[dict[str, Any]], bool]:
    def check(state: dict[str, Any]) -> bool:
        return all(c["text"] == text and c["pending"] == 0 for c in state.values())

    return check


async def test_two_textareas_edit_live_and_merge_offline_edits(browsers: Browsers) -> None:
    hub, session_id, alice_id = browsers.hub, browsers.session_id, browsers.users["alice"]
    await browsers.until(lambda s: all(c["synced"] for c in s.values()))

    await browsers.command(cmd="type", client="alice", text="Goals: ")
    await browsers.until(converged("Goals: "))

    # Concurrent typing at both ends of the text.
    await browsers.command(cmd="type", client="alice", text="ship v1.")
    await browsers.command(cmd="type", client="bob", at=0, text="[Bob] ")
    state = await browsers.until(
        lambda s: (
            s["alice"]["text"] == s["bob"]["text"]
            and "ship v1." in s["bob"]["text"]
            and "[Bob]" in s["alice"]["text"]
        )
    )
    assert state["alice"]["text"] == "[Bob] Goals: ship v1."
    assert state["bob"]["typing"] == [alice_id]
    await browsers.until(converged("[Bob] Goals: ship v1."))

    # A remote insert before Bob's caret keeps it on the same character.
    await browsers.command(cmd="caret", client="bob", at=len("[Bob] Goals: "))
    await browsers.command(cmd="type", client="alice", at=0, text="## ")
    state = await browsers.until(converged("## [Bob] Goals: ship v1."))
    assert state["bob"]["caret"] == len("## [Bob] Goals: ")

    # Bob goes offline, both keep typing (Bob also deletes), then Bob reconnects.
    await browsers.go_offline("bob")
    await browsers.command(cmd="type", client="bob", text=" Written offline.")
    await browsers.command(cmd="type", client="bob", at=0, remove=3)
    await browsers.command(cmd="type", client="alice", text=" And docs.")
    state = await browsers.until(lambda s: s["bob"]["pending"] > 0 and s["alice"]["pending"] == 0)
    assert "Written offline" not in await hub.text(session_id, "shared", alice_id)

    await browsers.go_online("bob")
    state = await browsers.until(
        lambda s: (
            s["alice"]["text"] == s["bob"]["text"]
            and all(c["pending"] == 0 for c in s.values())
            and "Written offline." in s["alice"]["text"]
            and "And docs." in s["bob"]["text"]
        )
    )
    # Concurrent inserts at the same spot are ordered by client id, so either order is fine.
    final = state["alice"]["text"]
    assert final in (
        "[Bob] Goals: ship v1. And docs. Written offline.",
        "[Bob] Goals: ship v1. Written offline. And docs.",
    )
    assert await hub.text(session_id, "shared", alice_id) == final


async def test_a_big_paste_travels_in_messages_the_server_accepts(browsers: Browsers) -> None:
    await browsers.until(lambda s: all(c["synced"] for c in s.values()))
    paste = "".join(f"line {i}: lorem ipsum dolor sit amet, ünïcödé ✓ 😀\n" for i in range(5000))
    assert len(paste.encode()) > 2 * MAX_MESSAGE_BYTES
    await browsers.command(cmd="type", client="alice", text=paste)
    await browsers.until(converged(paste))
    text = await browsers.hub.text(browsers.session_id, "shared", browsers.users["bob"])
    assert text == paste


async def test_garbage_from_a_client_is_reported_not_merged(browsers: Browsers) -> None:
    await browsers.until(lambda s: all(c["synced"] for c in s.values()))
    await browsers.command(cmd="type", client="alice", text="kept")
    await browsers.until(converged("kept"))
    # A misbehaving client sends garbage: the server refuses it and nothing changes anywhere.
    with pytest.raises(UpdateRejected):
        await browsers.hub.apply(browsers.session_id, "shared", browsers.users["bob"], b"\x05zz")
    assert await browsers.hub.text(browsers.session_id, "shared", browsers.users["bob"]) == "kept"
