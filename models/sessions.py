"""Scheduled video sessions, who takes part in them, and who actually attended."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from models.base import Base, utcnow

# Participants may open the room this long before the start.
JOIN_EARLY = timedelta(minutes=10)


class SessionKind(enum.StrEnum):
    """A private call between a pair, a mentor's group office hours, or an accepted meetup:
    everyone at one place (in_person), or some there and others by video (hybrid)."""

    ONE_ON_ONE = "one_on_one"
    OFFICE_HOURS = "office_hours"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"


class Invitation(enum.StrEnum):
    """A participant's answer: someone the host may not reach yet is asked first (a request)."""

    ACCEPTED = "accepted"
    PENDING = "pending"
    DECLINED = "declined"


class MentoringSession(Base):
    """One scheduled call. Named so as not to clash with a database session."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SessionKind] = mapped_column(
        Enum(
            SessionKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentorship_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentorships.id", ondelete="SET NULL"), nullable=True, index=True
    )
    office_hours_id: Mapped[int | None] = mapped_column(
        ForeignKey("office_hours.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Calendars: a cancelled session stays (STATUS:CANCELLED); SEQUENCE rises on each change.
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True, default=None)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    participants: Mapped[list[SessionParticipant]] = relationship(
        lazy="raise_on_sql", cascade="all, delete-orphan", order_by="SessionParticipant.user_id"
    )

    @property
    def ends_at(self) -> datetime:
        """When the session is scheduled to end."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def participant_ids(self) -> list[int]:
        """Ids of everyone taking part (accepted), host included."""
        return [p.user_id for p in self.participants if p.response == Invitation.ACCEPTED]

    @property
    def requested_ids(self) -> list[int]:
        """Ids of people asked to take part who have not answered yet."""
        return [p.user_id for p in self.participants if p.response == Invitation.PENDING]

    @property
    def is_cancelled(self) -> bool:
        """Whether the session was called off."""
        return self.cancelled_at is not None

    def is_joinable(self, now: datetime) -> bool:
        """Whether the room is open: from a few minutes before the start to the end."""
        return not self.is_cancelled and self.starts_at - JOIN_EARLY <= now < self.ends_at


class SessionParticipant(Base):
    """A user invited to a session."""

    __tablename__ = "session_participants"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    response: Mapped[Invitation] = mapped_column(
        Enum(
            Invitation,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=Invitation.ACCEPTED,
        server_default=Invitation.ACCEPTED.value,
    )


class Attendance(Base):
    """One stay of a user in a session's room, from joining to leaving."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(nullable=True)


def with_participants() -> _AbstractLoad:
    """Load option: a session's participants come with it."""
    return selectinload(MentoringSession.participants)


async def get_session_for(
    db: AsyncSession, session_id: int, user_id: int
) -> MentoringSession | None:
    """The session if `user_id` takes part in it; None otherwise, so outsiders learn nothing."""
    result = await db.execute(
        select(MentoringSession)
        .join(SessionParticipant)
        .where(
            MentoringSession.id == session_id,
            SessionParticipant.user_id == user_id,
            SessionParticipant.response == Invitation.ACCEPTED,
        )
        .options(with_participants())
    )
    return result.scalars().first()


async def session_requests_of(db: AsyncSession, user_id: int) -> Sequence[MentoringSession]:
    """Sessions the user is asked to join and has not answered, soonest first."""
    return await sessions_of(db, user_id, since=utcnow(), response=Invitation.PENDING)


async def get_session_request(
    db: AsyncSession, session_id: int, user_id: int
) -> tuple[MentoringSession, SessionParticipant] | None:
    """A session the user is asked to join (pending), with their invitation row."""
    for session in await session_requests_of(db, user_id):
        if session.id == session_id:
            mine = next(p for p in session.participants if p.user_id == user_id)
            return session, mine
    return None


async def sessions_of(
    db: AsyncSession,
    user_id: int,
    *,
    since: datetime | None = None,
    response: Invitation = Invitation.ACCEPTED,
) -> Sequence[MentoringSession]:
    """The user's sessions in start order; with `since`, only those not cancelled nor ended."""
    query = (
        select(MentoringSession)
        .join(SessionParticipant)
        .where(SessionParticipant.user_id == user_id, SessionParticipant.response == response)
        .options(with_participants())
        .order_by(MentoringSession.starts_at, MentoringSession.id)
    )
    if since is not None:  # what is still ahead: cancelled sessions are not
        query = query.where(MentoringSession.cancelled_at.is_(None))
    sessions = (await db.execute(query)).scalars().all()
    if since is not None:
        sessions = [s for s in sessions if s.ends_at > since]
    return sessions


async def latest_session_of_mentorship(
    db: AsyncSession, mentorship_id: int, *, before: datetime
) -> MentoringSession | None:
    """The mentorship's most recent session starting before `before`."""
    result = await db.execute(
        select(MentoringSession)
        .where(
            MentoringSession.mentorship_id == mentorship_id,
            MentoringSession.starts_at < before,
        )
        .order_by(MentoringSession.starts_at.desc())
        .limit(1)
    )
    return result.scalars().first()
