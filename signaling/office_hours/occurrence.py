"""The live state of one office-hours occurrence: who hosts it, its lobby, hands and spotlight.

It outlives the room's connections: who was admitted (reconnects walk straight back in) and who
was removed (refused for the rest of the occurrence) stay until the occurrence has ended. Both
decisions also go to `record` (the app stores them) and are loaded back after a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from models.office_hours import Admission, Decision
from signaling.office_hours.hands import HandQueue
from signaling.office_hours.lobby import Lobby
from signaling.peer import Peer
from signaling.rooms import Room


@dataclass(eq=False)
class Occurrence:
    """One session of kind office_hours while anyone is in, waiting for, or removed from it."""

    session_id: int
    host_id: int
    capacity: int
    admission: Admission
    ends_at: datetime
    lobby: Lobby = field(default_factory=Lobby)
    admitted: set[int] = field(default_factory=set)  # user ids the host let in
    removed: set[int] = field(default_factory=set)  # user ids refused until the end
    # Connections let through the gate but not yet in the room: they count towards capacity.
    arriving: dict[str, int] = field(default_factory=dict)  # peer id -> user id
    hands: HandQueue = field(default_factory=HandQueue)
    spotlight: str | None = None
    # Keeps a decision beyond this process: (user id, decision). Set by whoever loads it.
    record: Callable[[int, Decision], object] = field(default=lambda user_id, decision: None)

    def admit(self, user_id: int) -> None:
        """The host let this user in: their reconnects skip the lobby."""
        self.admitted.add(user_id)
        self.record(user_id, Decision.ADMITTED)

    def remove(self, user_id: int) -> None:
        """The host removed this user: refused until the occurrence ends."""
        self.removed.add(user_id)
        self.admitted.discard(user_id)
        self.record(user_id, Decision.REMOVED)

    def is_host(self, peer: Peer) -> bool:
        return peer.user_id == self.host_id

    @property
    def is_lobby(self) -> bool:
        return self.admission == Admission.LOBBY

    def attendees(self, room: Room | None, *, besides_user: int | None = None) -> set[int]:
        """User ids of the attendees (not the host) in the room or on their way in."""
        present = {p.user_id for p in room} if room is not None else set()
        users = present | set(self.arriving.values())
        users.discard(self.host_id)
        if besides_user is not None:
            users.discard(besides_user)
        return users

    def has_place_for(self, room: Room | None, user_id: int) -> bool:
        """Whether `user_id` may come in without going over capacity (a reconnect always may)."""
        if user_id == self.host_id:
            return True
        return len(self.attendees(room, besides_user=user_id)) < self.capacity

    def hands_message(self, room: Room | None) -> dict[str, object]:
        return {"type": "hands", "queue": self.hands.queue(room)}
