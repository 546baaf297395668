"""Accounts: users, their profiles and their server-side login sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    cast,
    false,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

ROLES = ("mentor", "mentee", "admin")


def normalize_email(email: str) -> str:
    """The form of an e-mail address used for uniqueness: trimmed and lower-cased."""
    return email.strip().lower()


class User(Base):
    """Someone who can log in: a mentor, a mentee, an admin, or several of these."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # Unique lower-cased copy: SQLite and PostgreSQL disagree on case-insensitive indexes.
    email_normalized: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by a password change or logging out everywhere: join tokens issued before are void.
    credentials_changed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set by a programme admin: a suspended user cannot log in and is signed out everywhere.
    suspended_at: Mapped[datetime | None] = mapped_column(nullable=True)

    profile: Mapped[Profile] = relationship(
        back_populates="user", lazy="raise_on_sql", uselist=False, cascade="all, delete-orphan"
    )

    def has_role(self, role: str) -> bool:
        """Whether the user holds `role`."""
        return role in self.roles


class Profile(Base):
    """What a user tells others about themselves; the geocoded point never leaves the server."""

    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str] = mapped_column(String(140), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    # Snapped to the city centre when the location changes; private to the server.
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    open_to_meetups: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether the city appears on the public profile: the owner's choice, off by default.
    show_city: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    max_travel_km: Mapped[int] = mapped_column(Integer, default=25)
    mentor_capacity: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile", lazy="raise_on_sql")


class LoginSession(Base):
    """A browser's login: the cookie carries a random token, the database only its hash."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


async def get_user(db: AsyncSession, user_id: int) -> User | None:
    """The user with `user_id`, or None."""
    return await db.get(User, user_id)


async def get_user_by_email(db: AsyncSession, email: str) -> User | None:
    """The user with this e-mail address in any letter case, or None."""
    result = await db.execute(select(User).where(User.email_normalized == normalize_email(email)))
    return result.scalar_one_or_none()


async def get_profile(db: AsyncSession, user_id: int) -> Profile:
    """The user's profile, created empty on first use."""
    profile = await db.get(Profile, user_id)
    if profile is None:
        profile = Profile(user_id=user_id)
        db.add(profile)
        await db.flush()
    return profile


async def users_by_ids(db: AsyncSession, ids: Sequence[int]) -> dict[int, User]:
    """The users among `ids` that exist, keyed by id."""
    if not ids:
        return {}
    result = await db.execute(select(User).where(User.id.in_(set(ids))))
    return {user.id: user for user in result.scalars()}


def _with_role(role: str) -> ColumnElement[bool]:
    # Roles are a small JSON list; its text form is the same on SQLite and PostgreSQL.
    return cast(User.roles, String).like(f'%"{role}"%')


async def mentors_directory(
    db: AsyncSession, *, limit: int | None = 200
) -> Sequence[tuple[User, Profile]]:
    """Mentors with their profiles, those with free capacity first, then by name."""
    result = await db.execute(
        select(User, Profile)
        .join(Profile, Profile.user_id == User.id)
        .where(_with_role("mentor"))
        .order_by((Profile.mentor_capacity > 0).desc(), User.name, User.id)
        .limit(limit)
    )
    return [(user, profile) for user, profile in result.all() if user.has_role("mentor")]


async def people_with_role(db: AsyncSession, role: str) -> Sequence[tuple[User, Profile]]:
    """Everyone holding `role`, with their profiles, by id."""
    result = await db.execute(
        select(User, Profile)
        .join(Profile, Profile.user_id == User.id)
        .where(_with_role(role))
        .order_by(User.id)
    )
    return [(user, profile) for user, profile in result.all() if user.has_role(role)]


async def mentors_version(db: AsyncSession) -> tuple[int, datetime | None, int | None]:
    """Changes whenever a mentor joins or edits their profile: when to rebuild search."""
    result = await db.execute(
        select(func.count(), func.max(Profile.updated_at), func.max(User.id))
        .select_from(User)
        .join(Profile, Profile.user_id == User.id)
        .where(_with_role("mentor"))
    )
    count, updated, last_id = result.one()
    return int(count), updated, last_id


async def last_login_at(db: AsyncSession, user_id: int) -> datetime | None:
    """When the user last logged in."""
    result = await db.execute(
        select(func.max(LoginSession.created_at)).where(LoginSession.user_id == user_id)
    )
    value: datetime | None = result.scalar_one()
    return value
