"""Mentorships API: mentees ask, mentors answer."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from models.base import utcnow
from models.mentorships import mentorships_of
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import read_json
from server.goal_schemas import EndMentorshipIn
from server.params import int_param
from server.representations import mentorship_json
from server.schemas import MentorshipIn
from server.services import mentorships
from server.services.activity_notices import (
    mentorship_answered,
    mentorship_ended,
    mentorship_requested,
)
from server.services.goals import mentorship_of_pair
from server.services.matching import expire_requests

routes = ApiRoutes("mentorships")


@routes.route("POST", "/mentorships", "Ask a mentor (mentees)", body=MentorshipIn, status=201)
async def create(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, MentorshipIn)
    async with unit_of_work(request.app) as db:
        mentorship = await mentorships.request_mentorship(db, user, data)
        told = await mentorship_requested(db, mentorship, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"mentorship": mentorship_json(mentorship)}, status=201)


async def _decide(request: web.Request, *, accept: bool) -> web.Response:
    user = await require_user(request)
    hours = request.app[keys.SETTINGS].request_expiry_hours
    async with unit_of_work(request.app) as db:
        mentorship = await mentorships.decide(
            db,
            user,
            int_param(request, "mentorship_id"),
            accept=accept,
            expiry=timedelta(hours=hours),
        )
        told = await mentorship_answered(db, mentorship, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"mentorship": mentorship_json(mentorship)})


@routes.route("POST", "/mentorships/{mentorship_id}/accept", "Accept a request (the mentor)")
async def accept(request: web.Request) -> web.Response:
    return await _decide(request, accept=True)


@routes.route("POST", "/mentorships/{mentorship_id}/decline", "Decline a request (the mentor)")
async def decline(request: web.Request) -> web.Response:
    return await _decide(request, accept=False)


@routes.route("GET", "/mentorships", "My mentorships, newest first")
async def mine(request: web.Request) -> web.Response:
    user = await require_user(request)
    hours = request.app[keys.SETTINGS].request_expiry_hours
    async with unit_of_work(request.app) as db:
        await expire_requests(db, utcnow(), hours)
        found = await mentorships_of(db, user.id)
    return web.json_response({"mentorships": [mentorship_json(m) for m in found]})


@routes.route(
    "POST",
    "/mentorships/{mentorship_id}/end",
    "End a mentorship (either side)",
    body=EndMentorshipIn,
)
async def end(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, EndMentorshipIn)
    async with unit_of_work(request.app) as db:
        mentorship = await mentorship_of_pair(db, user, int_param(request, "mentorship_id"))
        await mentorships.end_mentorship(db, mentorship, user, data.reason)
        told = await mentorship_ended(db, mentorship, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"mentorship": mentorship_json(mentorship)})
