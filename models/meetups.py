"""In-person meetups: a place, a time, and each participant's answer."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Integer, String, false, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from models.base import Base, utcnow


def _enum(cls: type[enum.StrEnum], length: int) -> Enum:
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class MeetupStatus(enum.StrEnum):
    """Proposed until everyone accepts; declined as soon as anyone declines."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Response(enum.StrEnum):
    """One participant's answer."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class MeetupMode(enum.StrEnum):
    """Everyone at the place, or some there and the others by video."""

    IN_PERSON = "in_person"
    HYBRID = "hybrid"


class AttendanceMode(enum.StrEnum):
    """How one participant takes part in a meetup."""

    IN_PERSON = "in_person"
    REMOTE = "remote"
    DECLINED = "declined"


class Meetup(Base):
    """A proposed in-person meeting in a public place (a city), never at someone's home."""

    __tablename__ = "meetups"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    place_name: Mapped[str] = mapped_column(String(200))
    place_country: Mapped[str] = mapped_column(String(100))
    # The city centre: public knowledge, unlike anyone's own point.
    place_latitude: Mapped[float] = mapped_column(Float)
    place_longitude: Mapped[float] = mapped_column(Float)
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    status: Mapped[MeetupStatus] = mapped_column(
        _enum(MeetupStatus, 16), default=MeetupStatus.PROPOSED
    )
    mode: Mapped[MeetupMode] = mapped_column(
        _enum(MeetupMode, 16), default=MeetupMode.IN_PERSON, server_default="in_person"
    )
    # The session it became once accepted: agenda, notes, action items, room and attendance.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # What the host shows at the venue; participants enter it to check in.
    check_in_code: Mapped[str] = mapped_column(String(12), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    participants: Mapped[list[MeetupParticipant]] = relationship(
        lazy="raise_on_sql", cascade="all, delete-orphan", order_by="MeetupParticipant.user_id"
    )

    @property
    def ends_at(self) -> datetime:
        """When the meetup is planned to end."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def response_of(self, user_id: int) -> MeetupParticipant | None:
        """The user's participation, if they are invited."""
        return next((p for p in self.participants if p.user_id == user_id), None)

    def settle(self) -> None:
        """Derive the meetup's status from everyone's answers.

        A pair's meetup needs both; a hybrid group meets once anyone besides the proposer comes,
        and is off only when everyone else declined."""
        answers = {p.response for p in self.participants}
        if self.mode == MeetupMode.HYBRID:
            others = {p.response for p in self.participants if p.user_id != self.proposer_id}
            if others == {Response.DECLINED}:
                self.status = MeetupStatus.DECLINED
            elif Response.ACCEPTED in others:
                self.status = MeetupStatus.ACCEPTED
            else:
                self.status = MeetupStatus.PROPOSED
            return
        if Response.DECLINED in answers:
            self.status = MeetupStatus.DECLINED
        elif answers == {Response.ACCEPTED}:
            self.status = MeetupStatus.ACCEPTED
        else:
            self.status = MeetupStatus.PROPOSED


class MeetupParticipant(Base):
    """Someone invited to a meetup, and their answer."""

    __tablename__ = "meetup_participants"

    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    response: Mapped[Response] = mapped_column(_enum(Response, 16), default=Response.PENDING)
    # Asked by someone they had no contact with: shown as a request until they accept.
    is_request: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    attendance: Mapped[AttendanceMode] = mapped_column(
        _enum(AttendanceMode, 16), default=AttendanceMode.IN_PERSON, server_default="in_person"
    )
    # Wrong check-in codes typed: after a few, only the host can tick this person in.
    check_in_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class GeocodeCacheEntry(Base):
    """An online geocoder's answer, kept so each place is looked up once."""

    __tablename__ = "geocode_cache"

    query: Mapped[str] = mapped_column(String(300), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def get_meetup_for(db: AsyncSession, meetup_id: int, user_id: int) -> Meetup | None:
    """The meetup if `user_id` is invited; None otherwise."""
    result = await db.execute(
        select(Meetup)
        .join(MeetupParticipant)
        .where(Meetup.id == meetup_id, MeetupParticipant.user_id == user_id)
        .options(selectinload(Meetup.participants))
    )
    return result.scalars().first()


async def meetup_of_session(db: AsyncSession, session_id: int) -> Meetup | None:
    """The meetup that owns this session, if any."""
    result = await db.execute(
        select(Meetup)
        .where(Meetup.session_id == session_id)
        .options(selectinload(Meetup.participants))
    )
    return result.scalars().first()


async def meetups_of(
    db: AsyncSession, user_id: int, *, since: datetime, requests: bool = False
) -> Sequence[Meetup]:
    """The user's meetups that have not ended, soonest first; or else the unanswered requests."""
    result = await db.execute(
        select(Meetup)
        .join(MeetupParticipant)
        .where(
            MeetupParticipant.user_id == user_id,
            MeetupParticipant.is_request.is_(requests),
            Meetup.starts_at > since - timedelta(hours=12),
        )
        .options(selectinload(Meetup.participants))
        .order_by(Meetup.starts_at)
    )
    return [m for m in result.scalars().all() if m.ends_at > since]
