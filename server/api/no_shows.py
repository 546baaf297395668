"""No-shows API: the other side corrects a wrong mark; mentors and admins see counts."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from models.mentorships import MentorshipStatus, mentorships_of
from models.no_shows import NoShow, no_show_counts
from models.users import users_by_ids
from server.api.access import participant_session
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import ApiError, not_found
from server.params import int_param

routes = ApiRoutes("no-shows")


@routes.route("GET", "/sessions/{session_id}/no-shows", "Who was marked absent from a session")
async def of_session(request: web.Request) -> web.Response:
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        marks = (await db.execute(select(NoShow).where(NoShow.session_id == session.id))).scalars()
        found = [{"user_id": m.user_id, "corrected": m.is_corrected} for m in marks]
    return web.json_response({"no_shows": found})


@routes.route(
    "POST",
    "/sessions/{session_id}/no-shows/{user_id}/correct",
    "They did come after all (the other side of the session)",
)
async def correct(request: web.Request) -> web.Response:
    user = await require_user(request)
    absent_id = int_param(request, "user_id")
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        mark = await db.get(NoShow, (session.id, absent_id))
        if mark is None:
            raise not_found("no-show")
        if absent_id == user.id:
            raise ApiError(403, "not_the_other_side", "The other side corrects a no-show.")
        mark.is_corrected = True
    return web.json_response({"no_show": {"user_id": absent_id, "corrected": True}})


@routes.route("GET", "/no-shows", "No-show counts: a mentor's mentees, or everyone for admins")
async def counts(request: web.Request) -> web.Response:
    user = await require_user(request)
    if not (user.has_role("mentor") or user.has_role("admin")):
        raise ApiError(403, "not_allowed", "Mentors and programme admins see no-show counts.")
    async with unit_of_work(request.app) as db:
        if user.has_role("admin"):
            ids = list((await db.execute(select(NoShow.user_id).distinct())).scalars())
        else:
            ids = [
                m.mentee_id
                for m in await mentorships_of(db, user.id)
                if m.mentor_id == user.id and m.status == MentorshipStatus.ACTIVE
            ]
        found = await no_show_counts(db, ids)
        people = await users_by_ids(db, ids)
    return web.json_response(
        {
            "counts": [
                {"user_id": uid, "name": people[uid].name, "no_shows": found.get(uid, 0)}
                for uid in sorted(ids)
                if uid in people
            ]
        }
    )
