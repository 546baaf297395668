"""Sign-up, log-in, password changes and profile edits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.mentorships import decline_pending
from models.users import Profile, User, get_profile, get_user_by_email, normalize_email
from server.errors import ApiError
from server.schemas import PasswordChangeIn, ProfileIn, SignupIn
from server.security import hash_password, verify_password
from server.throttle import LoginThrottle, SignupLimit, Throttled

# Turns (city, country) into a stored point, or None when the place is unknown.
Locator = Callable[[str, str], Awaitable[tuple[float, float] | None]]


# argon2 takes a tenth of a second or more per password. On the event loop it would stall every
# request, and so every open transaction: SQLite's one write lock stays taken until other writers
# give up with "database is locked". Hence a worker thread (argon2 releases the GIL).
async def _hash(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def _verify(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


def _email_taken() -> ApiError:
    return ApiError(
        409,
        "email_taken",
        "An account with this e-mail address already exists.",
        fields={"email": "This e-mail address is already registered."},
    )


async def sign_up(db: AsyncSession, data: SignupIn) -> User:
    """Create an account with an empty profile; the address must be new in any case."""
    # Hashed before the session takes a database connection, so none is held meanwhile.
    password_hash = await _hash(data.password)
    if await get_user_by_email(db, data.email):
        raise _email_taken()
    user = User(
        email=data.email,
        email_normalized=normalize_email(data.email),
        name=data.name,
        password_hash=password_hash,
        roles=sorted(set(data.roles)),
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError:
        # The unique address index: someone signed up with it since the check above.
        raise _email_taken() from None
    db.add(Profile(user_id=user.id, mentor_capacity=3 if "mentor" in data.roles else 0))
    await db.flush()
    return user


def _too_many(what: str, exc: Throttled) -> ApiError:
    return ApiError(
        429,
        "too_many_attempts",
        f"Too many {what}. Try again in {exc.retry_after} seconds.",
        headers={"Retry-After": str(exc.retry_after)},
    )


def check_signup_allowed(limit: SignupLimit, client: str) -> None:
    """Count a sign-up from `client`; 429 when it has made its share lately (probe accounts)."""
    try:
        limit.take(client)
    except Throttled as exc:
        raise _too_many("sign-ups from your network", exc) from None


async def authenticate(
    db: AsyncSession, throttle: LoginThrottle, email: str, password: str, client: str
) -> User:
    """The user these credentials belong to; 401 when wrong, 429 after too many failures from
    this client (for this account, or for any)."""
    try:
        async with throttle.attempt(throttle.keys(normalize_email(email), client)) as attempt:
            user = await get_user_by_email(db, email)
            await db.commit()  # nothing written yet: hand the connection back while argon2 runs
            if not await _verify(user.password_hash if user else None, password) or user is None:
                attempt.failed()
                raise ApiError(
                    401, "invalid_credentials", "The e-mail address or password is wrong."
                )
            attempt.succeeded()
    except Throttled as exc:
        raise _too_many("failed log-ins", exc) from None
    if user.suspended_at is not None:
        raise ApiError(
            403, "account_suspended", "This account is suspended. Contact the programme team."
        )
    return user


async def change_password(
    db: AsyncSession, throttle: LoginThrottle, user: User, data: PasswordChangeIn, client: str
) -> None:
    """Replace the password after checking the current one (throttled like log-ins), and end
    every credential issued before: join tokens now, login sessions and sockets by the caller."""
    try:
        async with throttle.attempt(throttle.keys(f"password-of-{user.id}", client)) as attempt:
            if not await _verify(user.password_hash, data.current_password):
                attempt.failed()
                raise ApiError(
                    422,
                    "validation_error",
                    "The current password is wrong.",
                    fields={"current_password": "This is not your current password."},
                )
            attempt.succeeded()
    except Throttled as exc:
        raise _too_many("wrong passwords", exc) from None
    user.password_hash = await _hash(data.new_password)
    await end_credentials(db, user)


async def end_credentials(db: AsyncSession, user: User) -> None:
    """Void every join token issued to `user` so far (logins and sockets are the caller's)."""
    user.credentials_changed_at = utcnow()
    db.add(user)


async def update_profile(
    db: AsyncSession, user: User, data: ProfileIn, locate: Locator | None = None
) -> Profile:
    """Apply the fields sent; geocode once when the city or country changes."""
    profile = await get_profile(db, user.id)
    changes = data.model_dump(exclude_unset=True)
    if (name := changes.pop("name", None)) is not None:
        user.name = name
        db.add(user)
        profile.updated_at = utcnow()  # the directory search reads names too
    if changes.get("mentor_capacity") == 0 and profile.mentor_capacity != 0:
        # "Not taking mentees": nobody should wait for an answer that will not come.
        await decline_pending(db, user.id, utcnow())
    moved = any(
        key in changes and changes[key] != getattr(profile, key) for key in ("city", "country")
    )
    for key, value in changes.items():
        setattr(profile, key, value)
    if moved:
        profile.latitude = profile.longitude = None
        if profile.city and locate is not None:
            point = await locate(profile.city, profile.country)
            if point is None:
                raise ApiError(
                    422,
                    "unknown_place",
                    f"We could not find {profile.city!r}. Check the spelling, "
                    "or pick a larger city nearby.",
                    fields={"city": "Unknown city."},
                )
            profile.latitude, profile.longitude = point
    db.add(profile)
    await db.flush()
    return profile
