"""Who may enter a session's room, when, and with which join token and ICE servers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.office_hours import removed_from
from models.sessions import JOIN_EARLY, Attendance, MentoringSession, get_session_for
from models.users import User
from server.security import JoinToken, turn_credentials
from server.settings import Settings

# Long enough to open the WebSocket after fetching it; reconnects fetch a new one or use the cookie.
JOIN_TOKEN_TTL_SECONDS = 300


class RoomRefused(Exception):
    """Why a user may not enter a room, with the HTTP status and code to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


async def admit_participant(
    db: AsyncSession, session_id: int, user_id: int, now: datetime
) -> MentoringSession:
    """The session if `user_id` takes part in it, at any time (its notes stay open)."""
    session = await get_session_for(db, session_id, user_id)
    if session is None:
        if await removed_from(db, user_id, [session_id]):  # they know it exists: say why
            raise RoomRefused(403, "removed", "The host removed you from this session.")
        # The same answer for "not yours" and "not there": ids tell a stranger nothing.
        raise RoomRefused(404, "room_not_found", "There is no such session.")
    return session


async def admit(db: AsyncSession, session_id: int, user_id: int, now: datetime) -> MentoringSession:
    """The session if `user_id` may enter its call now; RoomRefused (404/409) otherwise."""
    session = await admit_participant(db, session_id, user_id, now)
    if not session.is_joinable(now):
        if now >= session.ends_at:
            raise RoomRefused(409, "session_ended", "This session has ended.")
        minutes = int(JOIN_EARLY.total_seconds() // 60)
        raise RoomRefused(409, "too_early", f"The room opens {minutes} minutes before the start.")
    return session


def ice_servers_for(settings: Settings, user_id: int) -> list[dict[str, Any]]:
    """The configured ICE servers, with TURN REST credentials minted for `user_id`."""
    servers: list[dict[str, Any]] = []
    for server in settings.ice_servers:
        urls = server["urls"] if isinstance(server["urls"], list) else [server["urls"]]
        is_turn = any(str(u).startswith(("turn:", "turns:")) for u in urls)
        if is_turn and settings.turn_secret and "credential" not in server:
            username, credential = turn_credentials(
                settings.turn_secret, user_id, settings.turn_ttl_seconds
            )
            server = {**server, "username": username, "credential": credential}
        servers.append(server)
    return servers


@dataclass(frozen=True)
class JoinTicket:
    """What a participant needs to open the room's WebSocket."""

    token: str
    expires_at: int
    ice_servers: list[dict[str, Any]]


def join_ticket(settings: Settings, session_id: int, user: User) -> JoinTicket:
    """A fresh signed join token and ICE configuration for `user` in `session_id`'s room."""
    expires_at = int(time.time()) + JOIN_TOKEN_TTL_SECONDS
    token = JoinToken(user.id, session_id, expires_at).encode(settings.secret_key)
    return JoinTicket(token, expires_at, ice_servers_for(settings, user.id))


async def record_arrival(db: AsyncSession, session_id: int, user_id: int) -> int:
    """Open an attendance row; returns its id for `record_departure`."""
    row = Attendance(session_id=session_id, user_id=user_id)
    db.add(row)
    await db.flush()
    return row.id


async def record_departure(db: AsyncSession, attendance_id: int, when: datetime) -> None:
    """Close an attendance row."""
    row = await db.get(Attendance, attendance_id)
    if row is not None and row.left_at is None:
        row.left_at = when
