"""Goals API: what a mentorship is for, and the milestones on the way."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from models.goals import Goal, Milestone, goals_of, milestones_of
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import read_json
from server.goal_schemas import GoalIn, GoalPatch, MilestoneIn, MilestonePatch
from server.params import int_param
from server.services import goals

routes = ApiRoutes("goals")


def milestone_json(milestone: Milestone) -> dict[str, Any]:
    """A milestone, with the session it was ticked in."""
    return {
        "id": milestone.id,
        "goal_id": milestone.goal_id,
        "title": milestone.title,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
        "done": milestone.is_done,
        "done_at": milestone.done_at.isoformat() if milestone.done_at else None,
        "done_in_session_id": milestone.done_in_session_id,
    }


def goal_json(goal: Goal, milestones: list[Milestone]) -> dict[str, Any]:
    """A goal with its milestones and how many are done."""
    return {
        "id": goal.id,
        "mentorship_id": goal.mentorship_id,
        "title": goal.title,
        "why": goal.why,
        "target_on": goal.target_on.isoformat() if goal.target_on else None,
        "status": goal.status.value,
        "achieved_at": goal.achieved_at.isoformat() if goal.achieved_at else None,
        "milestones": [milestone_json(m) for m in milestones],
        "milestones_done": sum(m.is_done for m in milestones),
        "milestones_total": len(milestones),
    }


async def _with_milestones(db: AsyncSession, goal: Goal) -> dict[str, Any]:
    found = await milestones_of(db, [goal.id])
    return {"goal": goal_json(goal, found[goal.id])}


@routes.route("GET", "/mentorships/{mentorship_id}/goals", "The mentorship's goals (the pair)")
async def list_goals(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        mentorship = await goals.mentorship_of_pair(db, user, int_param(request, "mentorship_id"))
        found = await goals_of(db, mentorship.id)
        steps = await milestones_of(db, [g.id for g in found])
    return web.json_response(
        {
            "goals": [goal_json(g, steps[g.id]) for g in found],
            "read_only": mentorship.is_read_only,
        }
    )


@routes.route(
    "POST",
    "/mentorships/{mentorship_id}/goals",
    "Add a goal (either side)",
    body=GoalIn,
    status=201,
)
async def create_goal(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, GoalIn)
    async with unit_of_work(request.app) as db:
        goal = await goals.create_goal(db, user, int_param(request, "mentorship_id"), data)
        answer = await _with_milestones(db, goal)
    return web.json_response(answer, status=201)


@routes.route("PATCH", "/goals/{goal_id}", "Change a goal or its status", body=GoalPatch)
async def update_goal(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, GoalPatch)
    async with unit_of_work(request.app) as db:
        goal = await goals.update_goal(db, user, int_param(request, "goal_id"), data)
        answer = await _with_milestones(db, goal)
    return web.json_response(answer)


@routes.route("DELETE", "/goals/{goal_id}", "Remove a goal and its milestones", status=204)
async def delete_goal(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        await goals.delete_goal(db, user, int_param(request, "goal_id"))
    return web.Response(status=204)


@routes.route(
    "POST", "/goals/{goal_id}/milestones", "Add a milestone", body=MilestoneIn, status=201
)
async def add_milestone(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, MilestoneIn)
    async with unit_of_work(request.app) as db:
        milestone = await goals.add_milestone(db, user, int_param(request, "goal_id"), data)
    return web.json_response({"milestone": milestone_json(milestone)}, status=201)


@routes.route(
    "PATCH", "/milestones/{milestone_id}", "Change or tick a milestone", body=MilestonePatch
)
async def update_milestone(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, MilestonePatch)
    async with unit_of_work(request.app) as db:
        milestone = await goals.update_milestone(db, user, int_param(request, "milestone_id"), data)
    return web.json_response({"milestone": milestone_json(milestone)})
