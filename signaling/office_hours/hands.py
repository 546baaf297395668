"""The raised-hand queue of an office-hours occurrence.

Hands belong to users, not connections: someone whose connection drops keeps their place in line
for `AWAY_GRACE` seconds, so a network blip and the reconnect that follows it cost nothing.
Clients see the queue as the peer ids of the people present.
"""

from __future__ import annotations

import time

from signaling.rooms import Room

AWAY_GRACE = 60.0  # seconds a dropped connection's hand waits for the user to come back


class HandQueue:
    """User ids in the order their hands went up, and when absent ones dropped out."""

    def __init__(self, *, grace: float = AWAY_GRACE) -> None:
        self._order: dict[int, None] = {}
        self._away_since: dict[int, float] = {}
        self.grace = grace

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._order

    def raise_hand(self, user_id: int) -> bool:
        """Join the end of the line; False if already in it."""
        if user_id in self._order:
            return False
        self._order[user_id] = None
        return True

    def lower(self, user_id: int) -> bool:
        """Leave the line; False if not in it."""
        self._away_since.pop(user_id, None)
        return self._order.pop(user_id, False) is None

    def step_away(self, user_id: int) -> None:
        """The user's connection dropped: their place waits for them a while."""
        if user_id in self._order:
            self._away_since[user_id] = time.monotonic()

    def come_back(self, user_id: int) -> bool:
        """The user is back; True if their hand is still up (within the grace period)."""
        since = self._away_since.pop(user_id, None)
        if since is not None and time.monotonic() - since > self.grace:
            del self._order[user_id]
        return user_id in self._order

    def queue(self, room: Room | None) -> list[str]:
        """Peer ids of the raised hands present in `room`, in order."""
        if room is None:
            return []
        peers = (room.peer_of_user(user_id) for user_id in self._order)
        return [peer.peer_id for peer in peers if peer is not None]
