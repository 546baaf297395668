"""Private calendar feeds: a signed, revocable address per user, and what it lists."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.calendar_feeds import feed_version, rotate_feed
from models.meetups import meetups_of
from models.sessions import MentoringSession, SessionParticipant, with_participants
from models.users import User, get_user, users_by_ids
from server import keys
from server.calendar import Site, feed_ics
from server.security import sign

# Items that ended this long ago still show, so a calendar does not lose last week.
PAST = timedelta(days=30)


def site_of(app: web.Application) -> Site:
    """The public address from the settings."""
    return Site(app[keys.SETTINGS].public_url)


@dataclass(frozen=True)
class FeedAddress:
    """The feed's https address and the same as webcal://, which calendar apps subscribe to."""

    url: str
    webcal_url: str


def _token(secret: str, user_id: int, version: int) -> str:
    return sign(secret, "calendar-feed", f"{user_id}:{version}")


def _address(site: Site, secret: str, user_id: int, version: int) -> FeedAddress:
    url = site.link(f"/api/v1/calendar-feeds/{user_id}/{_token(secret, user_id, version)}.ics")
    return FeedAddress(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


async def feed_address(db: AsyncSession, site: Site, secret: str, user_id: int) -> FeedAddress:
    """The user's current feed address."""
    return _address(site, secret, user_id, await feed_version(db, user_id))


async def new_feed_address(db: AsyncSession, site: Site, secret: str, user_id: int) -> FeedAddress:
    """Revoke the old address and hand out a new one."""
    return _address(site, secret, user_id, await rotate_feed(db, user_id))


async def feed_owner(db: AsyncSession, secret: str, user_id: int, token: str) -> User | None:
    """The feed's owner if the token is their current one; None for old or forged tokens."""
    expected = _token(secret, user_id, await feed_version(db, user_id))
    if not hmac.compare_digest(expected, token):
        return None
    return await get_user(db, user_id)


async def feed_body(db: AsyncSession, site: Site, owner: User, now: datetime) -> bytes:
    """The owner's sessions and meetups from a month ago on, cancelled ones included."""
    result = await db.execute(
        select(MentoringSession)
        .join(SessionParticipant)
        .where(
            SessionParticipant.user_id == owner.id,
            MentoringSession.starts_at > now - PAST,
        )
        .options(with_participants())
        .order_by(MentoringSession.starts_at)
    )
    sessions = result.scalars().all()
    # An accepted meetup is listed once, as its session.
    meetups = [m for m in await meetups_of(db, owner.id, since=now - PAST) if m.session_id is None]
    ids = {uid for s in sessions for uid in s.participant_ids}
    ids |= {p.user_id for m in meetups for p in m.participants}
    people = await users_by_ids(db, list(ids))
    return feed_ics(sessions, meetups, people, site, owner)
