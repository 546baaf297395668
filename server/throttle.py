"""Throttles: failed password checks per (account, client) and per client; sign-ups per client.

Kept in memory per process; several processes would share them through Redis.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

Clock = Callable[[], float]
Key = tuple[str, str]


class Throttled(Exception):
    """Too many recent failures (or sign-ups): try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"try again in {retry_after} seconds")
        self.retry_after = retry_after


def _window(events: dict[Key, deque[float]], key: Key, horizon: float) -> deque[float]:
    """The key's events after `horizon`, older ones dropped."""
    recent = events.setdefault(key, deque())
    while recent and recent[0] <= horizon:
        recent.popleft()
    return recent


@dataclass
class Attempt:
    """One password check in flight; mark it failed when the password was wrong."""

    is_failed: bool = False
    is_success: bool = False

    def failed(self) -> None:
        """Count this attempt against its keys."""
        self.is_failed = True

    def succeeded(self) -> None:
        """The password was right: the (account, client) pair starts afresh."""
        self.is_success = True


class LoginThrottle:
    """Failed password checks in a sliding window, per (account, client) pair and per client.

    Never a lock on the account as such: a stranger's wrong guesses from elsewhere cannot keep
    the owner out of their own device. Only failures count. An attempt still being checked counts
    too, so guesses sent in parallel cannot all slip under a limit; but an attempt that is only
    held up by others in flight waits for them (a burst of right passwords all gets in) instead
    of being refused.
    """

    def __init__(
        self,
        *,
        per_pair: int = 5,
        per_client: int = 20,
        window_seconds: float = 900.0,
        max_wait_seconds: float = 30.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._limits = {"pair": per_pair, "client": per_client}
        self._window = window_seconds
        self._max_wait = max_wait_seconds
        self._clock = clock
        self._failures: dict[Key, deque[float]] = {}
        self._pending: Counter[Key] = Counter()
        self._changed = asyncio.Condition()

    @staticmethod
    def keys(account: str, client: str) -> dict[str, str]:
        """The throttle keys of one account (any string naming it) tried from one client."""
        return {"pair": f"{account}\n{client}", "client": client}

    def _recent(self, key: Key) -> deque[float]:
        return _window(self._failures, key, self._clock() - self._window)

    def retry_after(self, keys: Mapping[str, str]) -> int:
        """Seconds until another attempt is allowed by the failures so far; 0 when it is now."""
        wait = 0.0
        for key in keys.items():
            failures = self._recent(key)
            if len(failures) >= self._limits[key[0]]:
                wait = max(wait, failures[0] + self._window - self._clock())
        return int(wait) + 1 if wait > 0 else 0

    def _has_room(self, keys: Mapping[str, str]) -> bool:
        return all(
            len(self._recent(key)) + self._pending[key] < self._limits[key[0]]
            for key in keys.items()
        )

    @asynccontextmanager
    async def attempt(self, keys: Mapping[str, str]) -> AsyncIterator[Attempt]:
        """Hold a place for one password check; raises Throttled when failures are over a limit."""
        deadline = time.monotonic() + self._max_wait
        async with self._changed:
            while True:
                wait = self.retry_after(keys)
                if wait:
                    raise Throttled(wait)
                if self._has_room(keys):
                    break
                # Only checks in flight stand in the way: their outcome decides.
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    raise Throttled(int(self._max_wait)) from None
            self._pending.update(keys.items())
        attempt = Attempt()
        try:
            yield attempt
        finally:
            async with self._changed:
                self._pending.subtract(keys.items())
                now = self._clock()
                for key in keys.items():
                    if self._pending[key] <= 0:
                        del self._pending[key]
                    if attempt.is_failed:
                        self._recent(key).append(now)
                if attempt.is_success and not attempt.is_failed:
                    self._failures.pop(("pair", keys["pair"]), None)
                self._changed.notify_all()


class SignupLimit:
    """At most `limit` sign-ups per client address in a sliding window."""

    def __init__(
        self, limit: int, *, window_seconds: float = 3600.0, clock: Clock = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._events: dict[Key, deque[float]] = {}

    def take(self, client: str) -> None:
        """Count one sign-up from `client`; raises Throttled when it has had its share."""
        now = self._clock()
        recent = _window(self._events, ("client", client), now - self._window)
        if len(recent) >= self._limit:
            raise Throttled(int(recent[0] + self._window - now) + 1)
        recent.append(now)
