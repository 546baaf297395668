"""Who is making a request: login cookies backed by server-side, revocable sessions."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from aiohttp import web
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.users import LoginSession, User
from server import keys
from server.errors import ApiError
from server.security import new_token, token_digest

SESSION_COOKIE = "tandem_session"
_USER = "tandem.user"


def _cookie_options(request: web.Request) -> dict[str, object]:
    settings = request.app[keys.SETTINGS]
    return {
        "httponly": True,
        "samesite": "Lax",
        "secure": settings.secure_cookies or request.secure,
        "path": "/",
    }


async def start_login(
    db: AsyncSession, request: web.Request, response: web.StreamResponse, user: User
) -> None:
    """Open a login session for `user` and give the browser its cookie."""
    token = new_token()
    days = request.app[keys.SETTINGS].login_session_days
    db.add(
        LoginSession(
            token_hash=token_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=days * 86400,
        **_cookie_options(request),  # type: ignore[arg-type]
    )
    request[_USER] = user


async def end_login(db: AsyncSession, request: web.Request, response: web.StreamResponse) -> None:
    """Revoke the request's login session server-side and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await db.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == token_digest(token))
            .values(revoked_at=utcnow())
        )
    response.del_cookie(SESSION_COOKIE, path="/")
    request[_USER] = None


async def current_user(request: web.Request) -> User | None:
    """The logged-in user, looked up once per request."""
    if _USER in request:
        user: User | None = request[_USER]
        return user
    user = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with request.app[keys.DB]() as db:
            login = await db.get(LoginSession, token_digest(token))
            if login and login.revoked_at is None and login.expires_at > utcnow():
                user = await db.get(User, login.user_id)
                if user is not None and user.suspended_at is not None:
                    user = None  # suspended: out everywhere, whatever cookie they hold
    request[_USER] = user
    return user


async def require_user(request: web.Request) -> User:
    """The logged-in user, or a 401 for the API."""
    user = await current_user(request)
    if user is None:
        raise ApiError(401, "not_authenticated", "Log in first.")
    return user


async def revoke_other_logins(db: AsyncSession, user_id: int, keep_token: str | None) -> None:
    """End every login of the user except the current one (after a password change)."""
    query = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
    )
    if keep_token:
        query = query.where(LoginSession.token_hash != token_digest(keep_token))
    await db.execute(query.values(revoked_at=utcnow()))


def _is_trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def client_address(request: web.Request) -> str:
    """The client's address for throttling: the peer, or, when the peer is a trusted proxy
    (TANDEM_TRUSTED_PROXIES), the nearest address in X-Forwarded-For that is not one. A header
    from anyone else is ignored, so it cannot be used to dodge a limit."""
    proxies = request.app[keys.SETTINGS].trusted_proxies
    address = request.remote or "unknown"
    if not proxies or not _is_trusted(address, proxies):
        return address
    forwarded = ",".join(request.headers.getall("X-Forwarded-For", []))
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed chain: fall back to the proxy itself
        address = hop
        if not _is_trusted(hop, proxies):
            break
    return address
