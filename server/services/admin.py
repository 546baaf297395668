"""What programme admins do to accounts: the role is granted from the command line only, and
a suspended account is signed out everywhere at once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.users import User, get_user, get_user_by_email
from server.auth import revoke_other_logins
from server.errors import ApiError, not_found
from server.services.accounts import end_credentials

ADMIN = "admin"


async def grant_admin(db: AsyncSession, email: str) -> User:
    """Give the account with this address the admin role (the CLI's `admin grant`)."""
    user = await get_user_by_email(db, email)
    if user is None:
        raise not_found("account with that e-mail address")
    if not user.has_role(ADMIN):
        user.roles = sorted({*user.roles, ADMIN})
        db.add(user)
        await db.flush()
    return user


def require_admin(user: User) -> None:
    """Only programme admins go on; everyone else is told plainly."""
    if not user.has_role(ADMIN):
        raise ApiError(403, "not_an_admin", "Only programme admins can do this.")


async def suspend_account(db: AsyncSession, admin: User, user_id: int) -> User:
    """Suspend an account: no more log-ins, every login session and join token ends now (the
    caller closes the open sockets after the commit)."""
    require_admin(admin)
    user = await get_user(db, user_id)
    if user is None:
        raise not_found("account")
    if user.id == admin.id:
        raise ApiError(409, "cannot_suspend_yourself", "You cannot suspend your own account.")
    if user.suspended_at is None:
        user.suspended_at = utcnow()
    await end_credentials(db, user)
    await revoke_other_logins(db, user.id, keep_token=None)
    await db.flush()
    return user
