"""Rate-limited keyframe requests (RTCP PLI) towards one publisher."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

SendPli = Callable[[], Awaitable[None]]


class KeyframeRequester:
    """Sends at most one PLI per `min_interval`; a request inside that window is sent at its end.

    Many subscribers asking at once (joins, losses, overflowing queues) cost the publisher a
    single keyframe.
    """

    def __init__(
        self,
        send: SendPli,
        *,
        min_interval: float = 0.25,
        retry_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._min_interval = min_interval
        self._retry_interval = retry_interval
        self._clock = clock
        self._last_sent: float | None = None
        self._deferred: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._is_closed = False
        self.requested = 0
        self.sent = 0

    def request(self) -> None:
        """Ask the publisher for a keyframe, now or at the end of the rate-limit window."""
        if self._is_closed:
            return
        self.requested += 1
        if self._deferred is not None:
            return  # already scheduled
        now = self._clock()
        if self._last_sent is None or now - self._last_sent >= self._min_interval:
            self._send_now()
        else:
            delay = self._last_sent + self._min_interval - now
            self._deferred = asyncio.get_running_loop().call_later(delay, self._send_deferred)

    def request_again(self) -> None:
        """Repeat a request whose keyframe has not come after `retry_interval` (a lost PLI)."""
        if self._last_sent is None or self._clock() - self._last_sent >= self._retry_interval:
            self.request()

    def _send_deferred(self) -> None:
        self._deferred = None
        if not self._is_closed:
            self._send_now()

    def _send_now(self) -> None:
        self._last_sent = self._clock()
        self.sent += 1
        task = asyncio.get_running_loop().create_task(self._send_logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_logged(self) -> None:
        try:
            await self._send()
        except Exception:
            logger.exception("sending a keyframe request failed")

    def close(self) -> None:
        """Cancel pending requests; safe to call twice."""
        self._is_closed = True
        if self._deferred is not None:
            self._deferred.cancel()
            self._deferred = None
        for task in self._tasks:
            task.cancel()
