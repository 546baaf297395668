"""SIGTERM on a real server process: notes sockets get 1001 at once, after what was received
is stored and acknowledged, and the process exits promptly."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pycrdt import Doc, Text
from sqlalchemy.ext.asyncio import AsyncEngine

from models import notes as store
from models.database import create_engine, create_session_factory
from tests.signaling.test_notes_durability import notes_table_locked

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    """A `python -m server` process and what the test set up in it."""

    process: asyncio.subprocess.Process
    base: str
    session_id: int
    mentor: aiohttp.ClientSession
    log: Path
    engine: AsyncEngine


@pytest.fixture
async def served(database_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    port = _free_port()
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_SECRET_KEY": "test-secret-key",
        "TANDEM_VAR_DIR": str(tmp_path),
        "TANDEM_PORT": str(port),
    }
    log = (tmp_path / "server.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    # unsafe=True: keep cookies for an IP address
    mentor = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    guest = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    engine = create_engine(database_url)
    try:
        async with asyncio.timeout(30):
            while True:
                assert process.returncode is None, (tmp_path / "server.log").read_text()
                try:
                    async with mentor.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        await _signup(mentor, base, "mentor@example.org", "mentor")
        guest_id = await _signup(guest, base, "guest@example.org", "mentee")
        async with mentor.post(
            f"{base}/api/v1/sessions",
            json={
                "title": "Check-in",
                "starts_at": datetime.now(UTC).isoformat(),
                "duration_minutes": 60,
                "kind": "one_on_one",
                "participant_ids": [guest_id],
            },
        ) as response:
            assert response.status == 201, await response.text()
            session_id = (await response.json())["session"]["id"]
        yield Served(process, base, session_id, mentor, tmp_path / "server.log", engine)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log.close()
        await mentor.close()
        await guest.close()
        await engine.dispose()


async def _signup(client: aiohttp.ClientSession, base: str, email: str, role: str) -> int:
    async with client.post(
        f"{base}/api/v1/auth/signup",
        json={"email": email, "password": "correct horse battery", "name": role, "roles": [role]},
    ) as response:
        assert response.status == 201, await response.text()
        user_id: int = (await response.json())["user"]["id"]
        return user_id


async def _open_notes(served: Served) -> aiohttp.ClientWebSocketResponse:
    ws = await served.mentor.ws_connect(f"{served.base}/ws/sessions/{served.session_id}/notes")
    await ws.send_json({"type": "join"})
    await _next(ws, "welcome")
    await ws.send_json({"type": "notes-sync", "doc": "shared"})
    await _next(ws, "notes-sync")
    return ws


async def _next(ws: aiohttp.ClientWebSocketResponse, *kinds: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            msg = await ws.receive()
            assert msg.type == aiohttp.WSMsgType.TEXT, (msg.type, msg.data)
            data: dict[str, Any] = json.loads(msg.data)
            if data["type"] in kinds:
                return data


async def _closed_with(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    async with asyncio.timeout(5):
        msg = await ws.receive()
        while msg.type == aiohttp.WSMsgType.TEXT:
            msg = await ws.receive()
    assert msg.type == aiohttp.WSMsgType.CLOSE, (msg.type, msg.data)
    code: int | None = msg.data
    return code


async def _exited(process: asyncio.subprocess.Process) -> int:
    async with asyncio.timeout(15):
        return await process.wait()


async def test_sigterm_closes_idle_notes_sockets_with_1001_and_exits_promptly(
    served: Served,
) -> None:
    sockets = [await _open_notes(served) for _ in range(3)]
    started = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    codes = await asyncio.gather(*(_closed_with(ws) for ws in sockets))
    assert codes == [1001, 1001, 1001]
    await _exited(served.process)
    assert time.monotonic() - started < 2.0, served.log.read_text()


async def test_sigterm_first_stores_and_acks_an_update_waiting_for_its_commit(
    served: Served,
) -> None:
    ws = await _open_notes(served)
    doc: Doc[Text] = Doc(client_id=7)
    doc.get("notes", type=Text).insert(0, "said just before the restart")
    update = base64.b64encode(doc.get_update()).decode()
    async with notes_table_locked(served.engine):  # the database is slow to store it
        await ws.send_json({"type": "notes-update", "doc": "shared", "update": update, "seq": 1})
        await asyncio.sleep(0.3)
        served.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.3)
    assert await _next(ws, "notes-ack") == {"type": "notes-ack", "doc": "shared", "seq": 1}
    assert await _closed_with(ws) == 1001
    await _exited(served.process)
    async with create_session_factory(served.engine)() as db:
        text = await store.load_text(db, served.session_id, "shared")
    assert text == "said just before the restart"
