"""The mentors a mentee without a mentor is offered on their pages, with the reasons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from models.matching import Match
from models.mentorships import Mentorship, MentorshipStatus
from models.users import Profile, User
from server import keys
from server.services import matching

Suggested = tuple[User, Profile, Match]


async def suggestions_for_page(
    request: web.Request,
    db: AsyncSession,
    user: User,
    mentorships: Sequence[Mentorship],
    now: datetime,
) -> list[Suggested]:
    """Next suggestions for a mentee who has no mentor and no request waiting; else none."""
    if not user.has_role("mentee"):
        return []
    waiting = (MentorshipStatus.ACTIVE, MentorshipStatus.REQUESTED)
    if any(m.mentee_id == user.id and m.status in waiting for m in mentorships):
        return []
    catalog = await request.app[keys.MENTOR_CATALOG].current(db, now)
    found = await matching.suggest(db, catalog, user, now, limit=3)
    at = catalog.index.position
    return [(catalog.users[at[m.mentor_id]], catalog.profiles[at[m.mentor_id]], m) for m in found]
