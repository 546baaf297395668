"""The progress page of a mentorship: goals with their milestones, the chart and the timeline."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from markupsafe import Markup

from models.goals import goals_of, milestones_of
from models.sessions import get_session_for
from models.users import get_profile, users_by_ids
from server.db import unit_of_work
from server.errors import ApiError, not_found
from server.goal_schemas import FeedbackIn, GoalIn, MilestonePatch
from server.params import int_param
from server.services import goals
from server.services.feedback import give_feedback
from server.services.progress import progress_of
from web.forms import read_form, text_fields, validate_form
from web.progress_chart import progress_svg
from web.rendering import page_user, redirect, render

EVENT_LABELS = {
    "session_held": "Session held",
    "session_no_show": "Session missed (no-show)",
    "session_cancelled": "Session cancelled",
    "milestone_reached": "Milestone reached",
    "action_item_opened": "Action item opened",
    "action_item_closed": "Action item done",
    "reflection": "Your reflection",
}


async def render_progress(
    request: web.Request,
    mentorship_id: int,
    *,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    """The page, with a goal form's errors when one was refused."""
    user = await page_user(request)
    async with unit_of_work(request.app) as db:
        mentorship = await goals.mentorship_of_pair(db, user, mentorship_id)
        found = await goals_of(db, mentorship.id)
        steps = await milestones_of(db, [g.id for g in found])
        progress = await progress_of(db, mentorship, user.id)
        people = await users_by_ids(db, [mentorship.mentor_id, mentorship.mentee_id])
        zone = (await get_profile(db, user.id)).timezone
    other_id = mentorship.mentor_id if user.id == mentorship.mentee_id else mentorship.mentee_id
    return await render(
        request,
        "progress.html",
        {
            "mentorship": mentorship,
            "other": people.get(other_id),
            "goals": [(g, steps[g.id]) for g in found],
            "progress": progress,
            "labels": EVENT_LABELS,
            "chart": Markup(progress_svg(progress.weeks)),  # noqa: S704 - built from numbers and escaped text
            "zone": zone,
            "goal_form": form or {},
        },
        status=status,
    )


async def progress_page(request: web.Request) -> web.Response:
    return await render_progress(request, int_param(request, "mentorship_id"))


def _milestone_lines(text: str) -> list[dict[str, str]]:
    return [{"title": line.strip()} for line in text.splitlines() if line.strip()][:20]


async def goal_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    mentorship_id = int_param(request, "mentorship_id")
    form = await read_form(request)
    typed = text_fields(form, ["title", "why", "target_on", "milestones"])
    try:
        data = validate_form(
            GoalIn,
            {
                "title": typed.get("title") or None,
                "why": typed.get("why", ""),
                "target_on": typed.get("target_on") or None,
                "milestones": _milestone_lines(typed.get("milestones", "")),
            },
        )
        async with unit_of_work(request.app) as db:
            await goals.create_goal(db, user, mentorship_id, data)
    except ApiError as exc:
        failed = {"values": typed, "errors": exc.fields or {}, "message": exc.message}
        return await render_progress(request, mentorship_id, form=failed, status=exc.status)
    raise redirect(f"/mentorships/{mentorship_id}/progress#goals")


async def milestone_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    done = form.get("done") == "1"
    async with unit_of_work(request.app) as db:
        milestone = await goals.update_milestone(
            db, user, int_param(request, "milestone_id"), MilestonePatch(done=done)
        )
        goal, _ = await goals.goal_of_pair(db, user, milestone.goal_id)
    raise redirect(f"/mentorships/{goal.mentorship_id}/progress#goal-{goal.id}")


async def check_in_submit(request: web.Request) -> web.Response:
    """The session page's check-in form."""
    user = await page_user(request)
    form = await read_form(request)
    typed = text_fields(form, ["rating", "went_well", "private_note"])
    data = validate_form(FeedbackIn, {**typed, "rating": typed.get("rating") or 0})
    async with unit_of_work(request.app) as db:
        session = await get_session_for(db, int_param(request, "session_id"), user.id)
        if session is None:
            raise not_found("session")
        await give_feedback(db, user, session, data)
    raise redirect(f"/sessions/{session.id}#check-in")
