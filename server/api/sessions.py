"""Sessions API: schedule, list and read sessions (participants only)."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from models.sessions import session_requests_of, sessions_of
from server.api.access import participant_session
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import read_json
from server.params import int_param
from server.representations import session_json
from server.schemas import SessionIn
from server.services.sessions import answer_request, create_session

routes = ApiRoutes("sessions")


@routes.route("POST", "/sessions", "Schedule a session", body=SessionIn, status=201)
async def create(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, SessionIn)
    async with unit_of_work(request.app) as db:
        session = await create_session(db, user, data)
    return web.json_response({"session": session_json(session)}, status=201)


@routes.route("GET", "/sessions", "My sessions not yet ended, soonest first")
async def mine(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        found = await sessions_of(db, user.id, since=utcnow())
    return web.json_response({"sessions": [session_json(s) for s in found]})


@routes.route("GET", "/sessions/{session_id}", "One session (participants only; others get 404)")
async def one(request: web.Request) -> web.Response:
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
    return web.json_response({"session": session_json(session)})


@routes.route(
    "GET", "/session-requests", "Sessions I am asked to join by someone I have no contact with"
)
async def requests(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        found = await session_requests_of(db, user.id)
    return web.json_response({"sessions": [session_json(s) for s in found]})


async def _answer(request: web.Request, *, accept: bool) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        session = await answer_request(db, user, int_param(request, "session_id"), accept=accept)
    return web.json_response({"session": session_json(session)})


@routes.route("POST", "/sessions/{session_id}/accept", "Accept being asked to a session")
async def accept(request: web.Request) -> web.Response:
    return await _answer(request, accept=True)


@routes.route("POST", "/sessions/{session_id}/decline", "Decline being asked to a session")
async def decline(request: web.Request) -> web.Response:
    return await _answer(request, accept=False)
