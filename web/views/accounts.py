"""Pages for signing up, logging in and out, and editing one's profile."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import available_timezones

from aiohttp import web
from pydantic import ValidationError

from models.users import get_profile
from server import keys
from server.auth import (
    SESSION_COOKIE,
    client_address,
    end_login,
    revoke_other_logins,
    start_login,
)
from server.db import unit_of_work
from server.errors import ApiError
from server.schemas import LoginIn, PasswordChangeIn, ProfileIn, SignupIn
from server.services import accounts
from web.forms import list_field, read_form, text_fields, validate_form
from web.rendering import page_user, redirect, render

PROFILE_TEXT_FIELDS = [
    "name",
    "headline",
    "bio",
    "goals",
    "industry",
    "timezone",
    "city",
    "country",
    "max_travel_km",
    "mentor_capacity",
]


async def signup_page(request: web.Request) -> web.Response:
    return await render(request, "signup.html", {"form": {}, "errors": {}})


async def signup_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    values = text_fields(form, ["email", "name", "password"])
    values["roles"] = form.getall("roles", [])
    try:
        data = validate_form(SignupIn, values)
        accounts.check_signup_allowed(request.app[keys.SIGNUPS], client_address(request))
        async with unit_of_work(request.app) as db:
            user = await accounts.sign_up(db, data)
            if zone := _browser_zone(form.get("timezone")):
                await accounts.update_profile(db, user, zone)
            response = redirect("/profile?welcome=1")
            await start_login(db, request, response, user)
    except ApiError as exc:
        values.pop("password", None)
        return await render(
            request,
            "signup.html",
            {"form": values, "errors": exc.fields or {}, "message": exc.message},
            status=exc.status,
        )
    raise response


def _browser_zone(value: object) -> ProfileIn | None:
    """The time zone the sign-up page read from the browser, if it is one we know."""
    try:
        return ProfileIn(timezone=value) if isinstance(value, str) and value else None
    except ValidationError:
        return None  # an odd browser: the profile keeps UTC and can be changed later


def _zones() -> list[str]:
    """Every IANA zone a person might pick, for the profile's searchable zone list."""
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


async def login_page(request: web.Request) -> web.Response:
    return await render(request, "login.html", {"form": {}, "next": _next(request)})


def _next(request: web.Request) -> str:
    """Where to go after logging in: a path on this site, checked as the Location header will
    carry it (tabs and line breaks are dropped there, so `/%09/evil` would become `//evil`)."""
    target = request.query.get("next", "/dashboard")
    is_plain = all(" " < char < "\x7f" for char in target) and "\\" not in target
    parts = urlsplit(target)
    is_local = target.startswith("/") and not target.startswith("//") and not parts.netloc
    return target if is_plain and is_local and not parts.scheme else "/dashboard"


async def login_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    values = text_fields(form, ["email", "password"])
    try:
        data = validate_form(LoginIn, values)
        async with unit_of_work(request.app) as db:
            user = await accounts.authenticate(
                db, request.app[keys.THROTTLE], data.email, data.password, client_address(request)
            )
            response = redirect(_next(request))
            await start_login(db, request, response, user)
    except ApiError as exc:
        response_page = await render(
            request,
            "login.html",
            {
                "form": {"email": values.get("email", "")},
                "message": exc.message,
                "next": _next(request),
            },
            status=exc.status,
        )
        response_page.headers.update(exc.headers)
        return response_page
    raise response


async def logout_submit(request: web.Request) -> web.Response:
    await read_form(request)
    response = redirect("/")
    async with unit_of_work(request.app) as db:
        await end_login(db, request, response)
    raise response


async def profile_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    async with unit_of_work(request.app) as db:
        profile = await get_profile(db, user.id)
    form = {name: getattr(profile, name, "") for name in PROFILE_TEXT_FIELDS if name != "name"}
    form.update(
        name=user.name,
        skills=", ".join(profile.skills),
        languages=", ".join(profile.languages),
        open_to_meetups=profile.open_to_meetups,
        show_city=profile.show_city,
    )
    return await render(
        request,
        "profile_edit.html",
        {
            "form": form,
            "errors": {},
            "welcome": "welcome" in request.query,
            "saved": "saved" in request.query,
            "zones": _zones(),
        },
    )


async def profile_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    values = text_fields(form, PROFILE_TEXT_FIELDS)
    values["skills"] = list_field(form, "skills")
    values["languages"] = list_field(form, "languages")
    values["open_to_meetups"] = form.get("open_to_meetups") == "on"
    values["show_city"] = form.get("show_city") == "on"
    try:
        data = validate_form(ProfileIn, values)
        async with unit_of_work(request.app) as db:
            await accounts.update_profile(db, user, data, request.app.get(keys.LOCATOR))
    except ApiError as exc:
        shown = {**values, "skills": form.get("skills", ""), "languages": form.get("languages", "")}
        return await render(
            request,
            "profile_edit.html",
            {"form": shown, "errors": exc.fields or {}, "message": exc.message, "zones": _zones()},
            status=exc.status,
        )
    raise redirect("/profile?saved=1")


async def password_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    values = text_fields(form, ["current_password", "new_password"])
    try:
        data = validate_form(PasswordChangeIn, values)
        async with unit_of_work(request.app) as db:
            throttle = request.app[keys.THROTTLE]
            await accounts.change_password(db, throttle, user, data, client_address(request))
            await revoke_other_logins(db, user.id, request.cookies.get(SESSION_COOKIE))
    except ApiError as exc:
        page = await render(
            request,
            "password.html",
            {"errors": exc.fields or {}, "message": exc.message},
            status=exc.status,
        )
        page.headers.update(exc.headers)
        return page
    request.app[keys.CONNECTIONS].close_user(user.id, reason="password changed")
    return await render(request, "password.html", {"errors": {}, "saved": True})


async def password_page(request: web.Request) -> web.Response:
    await page_user(request)
    return await render(request, "password.html", {"errors": {}})
