"""Who may see a session's things: its participants; everyone else is told it does not exist."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from models.sessions import MentoringSession, get_session_for
from server.auth import require_user
from server.errors import not_found
from server.params import int_param


async def participant_session(db: AsyncSession, request: web.Request) -> MentoringSession:
    """The session named in the path, if the requester takes part in it."""
    user = await require_user(request)
    session = await get_session_for(db, int_param(request, "session_id"), user.id)
    if session is None:
        raise not_found("session")
    return session
