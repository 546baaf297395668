"""One connection in a room: who it is, what it sends, and its bounded outbox."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from signaling.messages import MediaState, encode

log = logging.getLogger(__name__)

# A peer that lets this many messages pile up unread is closed rather than slowing its room.
OUTBOX_SIZE = 512
# Messages a connection may send: this many a second on average, in bursts of up to BURST.
MESSAGES_PER_SECOND = 30
BURST = 60


class CloseCode:
    """WebSocket close codes the room uses (4000-4999 are the application's)."""

    NORMAL = 1000
    GOING_AWAY = 1001
    INTERNAL_ERROR = 1011
    REPLACED = 4001
    IDLE = 4002
    REFUSED = 4003
    TOO_SLOW = 4008


@dataclass
class TokenBucket:
    """At most `rate` messages a second on average, with bursts up to `burst`."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def take(self) -> bool:
        """Whether one more message is allowed now."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


Frame = str | _Close


@dataclass(eq=False)
class Peer:
    """A participant's connection as the room sees it; transport code drains its outbox."""

    user_id: int
    name: str
    peer_id: str = field(default_factory=lambda: secrets.token_urlsafe(9))
    media: MediaState = MediaState()
    bucket: TokenBucket = field(
        default_factory=lambda: TokenBucket(rate=MESSAGES_PER_SECOND, burst=BURST)
    )
    is_closing: bool = False
    _outbox: asyncio.Queue[Frame] = field(
        default_factory=lambda: asyncio.Queue(maxsize=OUTBOX_SIZE)
    )

    def describe(self) -> dict[str, Any]:
        """The peer as others see it in `welcome` and `peer-joined`."""
        return {
            "peer_id": self.peer_id,
            "user_id": self.user_id,
            "name": self.name,
            "media": self.media.model_dump(),
        }

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message; never blocks. A peer that does not keep up is closed."""
        self.send_frame(encode(message))

    def send_frame(self, frame: str) -> None:
        """Queue an already encoded message (a broadcast encodes once for everyone)."""
        if self.is_closing:
            return
        try:
            self._outbox.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("peer %s: outbox full, closing", self.peer_id)
            self._drop_and_close(CloseCode.TOO_SLOW, "too slow")

    def close(self, code: int = CloseCode.NORMAL, reason: str = "") -> None:
        """Ask the writer to close the connection after what is already queued."""
        if self.is_closing:
            return
        self.is_closing = True
        try:
            self._outbox.put_nowait(_Close(code, reason))
        except asyncio.QueueFull:
            self._drop_and_close(code, reason)

    def _drop_and_close(self, code: int, reason: str) -> None:
        self.is_closing = True
        while not self._outbox.empty():
            self._outbox.get_nowait()
        self._outbox.put_nowait(_Close(code, reason))

    async def pump(
        self, write: Callable[[str], Awaitable[None]], close: Callable[[int, str], Awaitable[Any]]
    ) -> None:
        """Write queued frames in order until a close is queued (the writer task's body).

        A write that fails closes the connection (1011), so the receiving side ends and the
        peer leaves its room: never a peer in a room that nothing can reach.
        """
        while True:
            frame = await self._outbox.get()
            if isinstance(frame, _Close):
                await close(frame.code, frame.reason)
                return
            try:
                await write(frame)
            except Exception:
                log.exception("peer %s: writing failed, closing", self.peer_id)
                self.is_closing = True
                await close(CloseCode.INTERNAL_ERROR, "internal error")
                return
