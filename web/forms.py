"""HTML form plumbing: CSRF tokens and turning posted fields into schema input."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy
from pydantic import BaseModel, ValidationError

from server import keys
from server.errors import ApiError
from server.security import csrf_token_for, csrf_token_valid, new_token

Model = TypeVar("Model", bound=BaseModel)

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


def _human(error: Any) -> str:
    """One validation error as a person would say it, to show next to its field."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "Fill this in." if n <= 1 else f"Use at least {n} characters."
    if kind in {"string_too_long", "too_long"}:
        n = ctx.get("max_length")
        unit = "characters" if kind == "string_too_long" else "entries"
        return f"Use at most {n} {unit}."
    if kind == "missing":
        return "Fill this in."
    if kind == "too_short":
        return "Choose at least one."
    if kind == "greater_than_equal":
        return f"Use {ctx.get('ge')} or more."
    if kind == "less_than_equal":
        return f"Use {ctx.get('le')} or less."
    if kind.startswith("int_"):
        return "Enter a whole number."
    if kind.startswith(("datetime_", "timezone_")):
        return "Pick a date and time."
    if kind.startswith("date_"):
        return "Pick a date."
    if kind == "literal_error":
        return "Choose one of the options."
    return str(error["msg"]).removeprefix("Value error, ")


def validate_form(model: type[Model], data: Any) -> Model:
    """`data` validated into `model`, or a 422 whose field messages read well on a page."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            fields.setdefault(".".join(str(p) for p in error["loc"]) or "form", _human(error))
        raise ApiError(
            422, "validation_error", "Please check the highlighted fields.", fields=fields
        ) from None
