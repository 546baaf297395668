"""HTML form plumbing: CSRF tokens and turning posted fields into schema input."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy

from server import keys
from server.errors import ApiError
from server.security import csrf_token_for, csrf_token_valid, new_token

CSRF_COOKIE = "tandem_csrf"
CSRF_FIELD = "csrf_token"
_NEW_CSRF = "tandem.new_csrf"


def csrf_token(request: web.Request) -> str:
    """The token this browser's forms must carry; mints the cookie on first use."""
    cookie = request.cookies.get(CSRF_COOKIE) or request.get(_NEW_CSRF)
    if not cookie:
        cookie = request[_NEW_CSRF] = new_token()
    return csrf_token_for(request.app[keys.SETTINGS].secret_key, cookie)


def set_csrf_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Send the CSRF cookie if this request minted one."""
    if cookie := request.get(_NEW_CSRF):
        response.set_cookie(
            CSRF_COOKIE,
            cookie,
            httponly=True,
            samesite="Strict",
            path="/",
            secure=request.app[keys.SETTINGS].secure_cookies or request.secure,
        )


async def read_form(request: web.Request) -> MultiDictProxy[str]:
    """The posted form, after checking its CSRF token."""
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "body_too_large", "The form is too large.") from None
    token = form.get(CSRF_FIELD)
    if not csrf_token_valid(
        request.app[keys.SETTINGS].secret_key,
        request.cookies.get(CSRF_COOKIE),
        token if isinstance(token, str) else None,
    ):
        raise ApiError(
            403,
            "csrf_failed",
            "This form has expired or came from another site. Reload the page and try again.",
        )
    return form  # type: ignore[return-value]


def text_fields(form: MultiDictProxy[str], names: list[str]) -> dict[str, Any]:
    """The named text fields that were posted."""
    return {n: form[n] for n in names if isinstance(form.get(n), str)}


def list_field(form: MultiDictProxy[str], name: str) -> list[str]:
    """A comma-separated text field as a list."""
    raw = form.get(name)
    return [part.strip() for part in raw.split(",") if part.strip()] if isinstance(raw, str) else []


def local_to_aware(value: str, zone: str) -> datetime | str:
    """A `datetime-local` field read in the user's own time zone (the raw text if unreadable)."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        return value
