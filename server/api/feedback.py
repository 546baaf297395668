"""Check-ins API: each side rates a session that is over; others only ever see an average."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from models.goals import SessionFeedback, feedback_of
from models.users import get_user
from server.api.access import participant_session
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import not_found, read_json
from server.goal_schemas import FeedbackIn
from server.params import int_param
from server.services.feedback import give_feedback, mentor_record

routes = ApiRoutes("feedback")


def own_feedback_json(feedback: SessionFeedback) -> dict[str, Any]:
    """The author's own check-in (only ever sent to its author)."""
    return {
        "session_id": feedback.session_id,
        "rating": feedback.rating,
        "went_well": feedback.went_well,
        "private_note": feedback.private_note,
        "created_at": feedback.created_at.isoformat(),
    }


@routes.route(
    "POST",
    "/sessions/{session_id}/feedback",
    "Check in after a session (participants, once)",
    body=FeedbackIn,
    status=201,
)
async def give(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, FeedbackIn)
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        feedback = await give_feedback(db, user, session, data)
    return web.json_response({"feedback": own_feedback_json(feedback)}, status=201)


@routes.route("GET", "/sessions/{session_id}/feedback", "My own check-in for a session")
async def mine(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        feedback = await feedback_of(db, session.id, user.id)
    return web.json_response({"feedback": own_feedback_json(feedback) if feedback else None})


@routes.route("GET", "/mentors/{mentor_id}/record", "A mentor's public line")
async def record(request: web.Request) -> web.Response:
    await require_user(request)
    async with unit_of_work(request.app) as db:
        mentor = await get_user(db, int_param(request, "mentor_id"))
        if mentor is None or not mentor.has_role("mentor"):
            raise not_found("mentor")
        found = await mentor_record(db, mentor.id)
    return web.json_response({"record": found.json()})
