"""Last-N: whose camera each participant gets in a room with many cameras.

Pure code. Everyone receives the pinned participants (the host, whoever is spotlighted) and the
N who spoke most recently (before anyone spoke: the first to arrive); every other camera is not
forwarded to them at all. Audio and screen shares are never limited.
"""

import time
from collections.abc import Callable

SPEAKING_LEVEL = 50  # RFC 6464 level (-dBov): 50 or lower (louder) counts as speech


class LastN:
    """Recent speakers of one room and which cameras each participant should receive."""

    def __init__(self, n: int | None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.n = n  # None: no limit
        self._clock = clock
        self._order: dict[str, float] = {}  # participant -> last speech (or arrival) time
        self._arrivals = 0.0
        self.pinned: set[str] = set()

    def arrive(self, participant_id: str) -> None:
        """A participant joined: they rank below everyone who spoke, above later arrivals."""
        self._arrivals += 1.0
        self._order.setdefault(participant_id, -1e9 - self._arrivals)  # below any speech time

    def leave(self, participant_id: str) -> None:
        self._order.pop(participant_id, None)
        self.pinned.discard(participant_id)

    def hear(self, participant_id: str, level: int) -> bool:
        """An audio level from a participant's packet; True if the set of recent speakers
        changed (so forwarding must be updated)."""
        if level > SPEAKING_LEVEL or participant_id not in self._order:
            return False
        was_recent = participant_id in self.recent()
        self._order[participant_id] = self._clock()
        return not was_recent

    def recent(self, besides: str | None = None) -> list[str]:
        """The N most recent speakers besides the pinned, most recent first (everyone when
        there is no limit)."""
        ranked = sorted(
            (p for p in self._order if p != besides and p not in self.pinned),
            key=lambda p: self._order[p],
            reverse=True,
        )
        return ranked if self.n is None else ranked[: self.n]

    def is_visible(self, subscriber_id: str, publisher_id: str) -> bool:
        """Whether `subscriber_id` should receive `publisher_id`'s camera."""
        if self.n is None or publisher_id in self.pinned:
            return True
        return publisher_id in self.recent(besides=subscriber_id)
