"""Live agenda messages: read one at a time per session, so the last one sent is the newest."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.services.agenda import AgendaFeed


async def test_a_later_change_is_read_only_after_the_earlier_one_was_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent: list[tuple[int, int]] = []
    feed = AgendaFeed(lambda session_id, message: sent.append((session_id, message["n"])))
    reads: list[int] = []
    release = asyncio.Event()

    async def slow_read() -> dict[str, Any]:
        reads.append(1)
        await release.wait()
        return {"n": 1}

    async def quick_read() -> dict[str, Any]:
        reads.append(2)
        return {"n": 2}

    async def other_session_read() -> dict[str, Any]:
        return {"n": 3}

    first = asyncio.create_task(feed.publish(7, slow_read))
    await asyncio.sleep(0)
    second = asyncio.create_task(feed.publish(7, quick_read))
    await feed.publish(8, other_session_read)  # other sessions do not wait
    await asyncio.sleep(0.01)
    assert reads == [1] and sent == [(8, 3)]
    release.set()
    await asyncio.gather(first, second)
    assert sent == [(8, 3), (7, 1), (7, 2)]

    async def broken_read() -> dict[str, Any]:
        raise RuntimeError("database gone")

    await feed.publish(7, broken_read)  # the change is stored; only liveness is lost
    assert "not sent live" in caplog.text
    await feed.publish(7, quick_read)
    assert sent[-1] == (7, 2)
