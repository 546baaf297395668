"""The session page: when, who, and the way into the call."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from models.goals import feedback_of
from models.meetups import meetup_of_session
from models.sessions import JOIN_EARLY, get_session_for
from models.users import get_profile, users_by_ids
from server.calendar import add_to_calendar_links
from server.db import unit_of_work
from server.errors import not_found
from server.params import int_param
from server.services.calendar_feed import site_of
from server.services.sessions import answer_request
from web.forms import read_form
from web.rendering import page_user, redirect, render


async def session_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    async with unit_of_work(request.app) as db:
        session = await get_session_for(db, int_param(request, "session_id"), user.id)
        if session is None:
            raise not_found("session")
        people = await users_by_ids(db, session.participant_ids)
        viewer_zone = (await get_profile(db, user.id)).timezone
        check_in = await feedback_of(db, session.id, user.id)
        meetup = await meetup_of_session(db, session.id)
    now = utcnow()
    return await render(
        request,
        "session.html",
        {
            "session": session,
            "people": people,
            "joinable": session.is_joinable(now),
            "opens_at": session.starts_at - JOIN_EARLY,
            "has_ended": now >= session.ends_at,
            "viewer_zone": viewer_zone,
            "people_names": {uid: u.name for uid, u in people.items()},
            "join_early_minutes": int(JOIN_EARLY.total_seconds() // 60),
            "calendar_links": add_to_calendar_links(session, site_of(request.app)),
            "check_in": check_in,
            "check_in_form": {},
            "meetup": meetup,
        },
    )


async def answer_request_submit(request: web.Request) -> web.Response:
    """Accept or decline being asked to a session, from the dashboard's requests."""
    user = await page_user(request)
    form = await read_form(request)
    async with unit_of_work(request.app) as db:
        await answer_request(
            db, user, int_param(request, "session_id"), accept=form.get("answer") == "accept"
        )
    raise redirect("/dashboard")
