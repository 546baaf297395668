"""Accounts API: sign-up, log-in, log-out, my profile, other people's public profiles."""

from __future__ import annotations

from aiohttp import web

from models.users import get_profile, get_user
from server import keys
from server.api.routing import ApiRoutes
from server.auth import (
    SESSION_COOKIE,
    client_address,
    end_login,
    require_user,
    revoke_other_logins,
    start_login,
)
from server.db import unit_of_work
from server.errors import not_found, read_json
from server.params import int_param
from server.representations import own_user, public_user
from server.schemas import LoginIn, PasswordChangeIn, ProfileIn, SignupIn
from server.services import accounts

routes = ApiRoutes("accounts")


@routes.route(
    "POST", "/auth/signup", "Create an account and log in", body=SignupIn, status=201, auth=False
)
async def signup(request: web.Request) -> web.Response:
    data = await read_json(request, SignupIn)
    accounts.check_signup_allowed(request.app[keys.SIGNUPS], client_address(request))
    async with unit_of_work(request.app) as db:
        user = await accounts.sign_up(db, data)
        response = web.json_response({"user": own_user(user)}, status=201)
        await start_login(db, request, response, user)
    return response


@routes.route("POST", "/auth/login", "Log in", body=LoginIn, auth=False)
async def login(request: web.Request) -> web.Response:
    data = await read_json(request, LoginIn)
    async with unit_of_work(request.app) as db:
        user = await accounts.authenticate(
            db, request.app[keys.THROTTLE], data.email, data.password, client_address(request)
        )
        response = web.json_response({"user": own_user(user)})
        await start_login(db, request, response, user)
    return response


@routes.route(
    "POST", "/auth/logout", "Log out (revokes the session server-side)", status=204, auth=False
)
async def logout(request: web.Request) -> web.Response:
    response = web.Response(status=204)
    async with unit_of_work(request.app) as db:
        await end_login(db, request, response)
    return response


@routes.route(
    "POST",
    "/auth/password",
    "Change my password; other logins are ended",
    body=PasswordChangeIn,
    status=204,
)
async def password(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, PasswordChangeIn)
    async with unit_of_work(request.app) as db:
        throttle = request.app[keys.THROTTLE]
        await accounts.change_password(db, throttle, user, data, client_address(request))
        await revoke_other_logins(db, user.id, request.cookies.get(SESSION_COOKIE))
    # Stored first: the sockets reconnect with fresh tickets, and only this login still gets one.
    request.app[keys.CONNECTIONS].close_user(user.id, reason="password changed")
    return web.Response(status=204)


@routes.route(
    "POST",
    "/auth/logout-everywhere",
    "Log out on every device: ends every login, join token and open connection",
    status=204,
)
async def logout_everywhere(request: web.Request) -> web.Response:
    user = await require_user(request)
    response = web.Response(status=204)
    async with unit_of_work(request.app) as db:
        await accounts.end_credentials(db, user)
        await revoke_other_logins(db, user.id, keep_token=None)
        await end_login(db, request, response)
    request.app[keys.CONNECTIONS].close_user(user.id, reason="logged out everywhere")
    return response


@routes.route("GET", "/me", "My account and profile")
async def me(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        profile = await get_profile(db, user.id)
    return web.json_response({"user": own_user(user, profile)})


@routes.route("PATCH", "/me", "Update my profile (only the fields sent)", body=ProfileIn)
async def update_me(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, ProfileIn)
    async with unit_of_work(request.app) as db:
        profile = await accounts.update_profile(db, user, data, request.app.get(keys.LOCATOR))
    return web.json_response({"user": own_user(user, profile)})


@routes.route("GET", "/users/{user_id}", "Someone's public profile")
async def user_profile(request: web.Request) -> web.Response:
    await require_user(request)
    user_id = int_param(request, "user_id")
    async with unit_of_work(request.app) as db:
        user = await get_user(db, user_id)
        if user is None:
            raise not_found("user")
        profile = await get_profile(db, user.id)
    return web.json_response({"user": public_user(user, profile)})
