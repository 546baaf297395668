"""Login throttling: too many failures per account or per client address wait a while."""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    """Counts recent failures in a sliding window, per key.

    Kept in memory per process; several processes would share it through Redis.
    """

    def __init__(
        self,
        *,
        per_account: int = 5,
        per_address: int = 20,
        window_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"account": per_account, "address": per_address}
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, kind: str, key: str) -> deque[float]:
        failures = self._failures.setdefault((kind, key), deque())
        horizon = self._clock() - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def retry_after(self, account: str, address: str) -> int:
        """Seconds until another attempt is allowed; 0 when one is allowed now."""
        wait = 0.0
        for kind, key in (("account", account), ("address", address)):
            failures = self._recent(kind, key)
            if len(failures) >= self._limits[kind]:
                wait = max(wait, failures[0] + self._window - self._clock())
        return int(wait) + 1 if wait > 0 else 0

    def record_attempt(self, account: str, address: str) -> float:
        """Count an attempt as failed before it is checked, so that guesses sent in parallel
        cannot all slip under the limit; `succeeded` takes it back. Returns its stamp."""
        now = self._clock()
        self._recent("account", account).append(now)
        self._recent("address", address).append(now)
        return now

    def succeeded(self, account: str, address: str, stamp: float) -> None:
        """The attempt was right: forget the account's failures and un-count it for the address."""
        self._failures.pop(("account", account), None)
        with contextlib.suppress(ValueError):
            self._recent("address", address).remove(stamp)
