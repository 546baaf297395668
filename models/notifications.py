"""In-app notifications, and how each user wants to hear about each kind."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class NotificationKind(enum.StrEnum):
    """Everything Tandem tells people about."""

    MENTORSHIP_REQUESTED = "mentorship_requested"
    MENTORSHIP_ANSWERED = "mentorship_answered"
    SESSION_BOOKED = "session_booked"
    SESSION_RESCHEDULED = "session_rescheduled"
    SESSION_CANCELLED = "session_cancelled"
    MEETUP_PROPOSED = "meetup_proposed"
    MEETUP_ANSWERED = "meetup_answered"
    ACTION_ITEM_ASSIGNED = "action_item_assigned"
    REMINDER = "reminder"
    NO_SHOW = "no_show"
    CHECK_IN = "check_in"
    MENTORSHIP_ENDED = "mentorship_ended"


# Kinds that also go out by e-mail unless the user says otherwise.
EMAIL_BY_DEFAULT = frozenset(
    {
        NotificationKind.SESSION_BOOKED,
        NotificationKind.SESSION_RESCHEDULED,
        NotificationKind.SESSION_CANCELLED,
        NotificationKind.REMINDER,
    }
)


class Notification(Base):
    """One thing a user was told, read or not."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(nullable=True, default=None)


class NotificationPreference(Base):
    """A user's choice for one kind: in-app only, or in-app and e-mail."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    by_email: Mapped[bool] = mapped_column(Boolean)


async def email_choices(db: AsyncSession, user_id: int) -> dict[NotificationKind, bool]:
    """For every kind, whether the user also gets it by e-mail."""
    chosen = await db.execute(
        select(NotificationPreference.kind, NotificationPreference.by_email).where(
            NotificationPreference.user_id == user_id
        )
    )
    stored = {kind: by_email for kind, by_email in chosen}
    return {kind: stored.get(kind.value, kind in EMAIL_BY_DEFAULT) for kind in NotificationKind}


async def set_email_choice(
    db: AsyncSession, user_id: int, kind: NotificationKind, by_email: bool
) -> None:
    """Remember whether the user wants this kind by e-mail too."""
    row = await db.get(NotificationPreference, (user_id, kind.value))
    if row is None:
        db.add(NotificationPreference(user_id=user_id, kind=kind.value, by_email=by_email))
    else:
        row.by_email = by_email


async def notifications_of(
    db: AsyncSession, user_id: int, *, limit: int = 50
) -> Sequence[Notification]:
    """The user's latest notifications, newest first."""
    result = await db.execute(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return result.scalars().all()


async def unread_count(db: AsyncSession, user_id: int) -> int:
    """How many notifications the user has not read: the number in the header."""
    result = await db.execute(
        select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(result.scalar_one())


async def mark_read(db: AsyncSession, user_id: int, ids: Sequence[int] | None) -> None:
    """Mark the given notifications (all when `ids` is None) of the user as read."""
    query = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(set(ids)))
    await db.execute(query.values(read_at=utcnow()))
