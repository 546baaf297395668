"""Private calendar feeds: each user's revocable feed address is signed with a version."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class CalendarFeed(Base):
    """The version of the user's feed address: rotating it invalidates every older address."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)


async def feed_version(db: AsyncSession, user_id: int) -> int:
    """The current version of the user's feed address."""
    feed = await db.get(CalendarFeed, user_id)
    return feed.version if feed is not None else 1


async def rotate_feed(db: AsyncSession, user_id: int) -> int:
    """A new feed address for the user; the old one stops working at once."""
    feed = await db.get(CalendarFeed, user_id)
    if feed is None:
        feed = CalendarFeed(user_id=user_id, version=2)
        db.add(feed)
    else:
        feed.version += 1
    await db.flush()
    return feed.version
