"""Every open WebSocket of the app, by user: so ending someone's credentials ends their sockets.

The socket code (signaling/) registers each connection here; account code (server/) closes a
user's connections without knowing what they carry (a call, office hours, live notes).
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)

# Close code for a socket whose user's credentials ended (password changed, logged out
# everywhere): the client logs in again rather than reconnecting with what it has.
SIGNED_OUT = 4005


class Closable(Protocol):
    """One live connection: it can be asked to close with a code and a reason."""

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close after what is already queued; safe to call more than once."""


class LiveConnections:
    """The open connections of one app instance, by user and session."""

    def __init__(self) -> None:
        self._by_user: dict[int, dict[Closable, int]] = {}

    def opened(self, user_id: int, session_id: int, connection: Closable) -> None:
        """Remember a connection of `user_id` to `session_id`'s room or notes."""
        self._by_user.setdefault(user_id, {})[connection] = session_id

    def closed(self, user_id: int, connection: Closable) -> None:
        """Forget a connection that has ended."""
        mine = self._by_user.get(user_id)
        if mine is not None:
            mine.pop(connection, None)
            if not mine:
                del self._by_user[user_id]

    def close_user(
        self,
        user_id: int,
        *,
        session_id: int | None = None,
        code: int = SIGNED_OUT,
        reason: str = "signed out",
    ) -> int:
        """Close every connection of `user_id` (only those to `session_id` when given)."""
        mine = self._by_user.get(user_id, {})
        chosen = [c for c, sid in mine.items() if session_id is None or sid == session_id]
        for connection in chosen:
            connection.close(code, reason)
        if chosen:
            log.info("user %s: closed %d connection(s): %s", user_id, len(chosen), reason)
        return len(chosen)
