"""Progress API: a mentorship's timeline, for the pair."""

from __future__ import annotations

from aiohttp import web

from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.params import int_param
from server.representations import mentorship_json
from server.services.goals import mentorship_of_pair
from server.services.progress import progress_of

routes = ApiRoutes("progress")


@routes.route(
    "GET", "/mentorships/{mentorship_id}/progress", "The mentorship's timeline (the pair)"
)
async def progress(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        mentorship = await mentorship_of_pair(db, user, int_param(request, "mentorship_id"))
        found = await progress_of(db, mentorship, user.id)
    return web.json_response({"mentorship": mentorship_json(mentorship), **found.json()})
