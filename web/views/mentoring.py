"""Pages for finding a mentor, answering requests and scheduling sessions."""

from __future__ import annotations

from aiohttp import web

from models.users import get_profile, mentors_directory
from server import keys
from server.db import unit_of_work
from server.errors import validate
from server.params import int_param
from server.schemas import MentorshipIn, SessionIn
from server.services import mentorships
from server.services.activity_notices import mentorship_answered, mentorship_requested
from server.services.sessions import create_session
from web.forms import local_to_aware, read_form
from web.rendering import page_user, redirect, render


async def mentors_page(request: web.Request) -> web.Response:
    await page_user(request)
    async with unit_of_work(request.app) as db:
        mentors = await mentors_directory(db)
    return await render(request, "mentors.html", {"mentors": mentors})


async def ask_mentor_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    mentor_id = int_param(request, "user_id")
    data = validate(MentorshipIn, {"mentor_id": mentor_id, "message": form.get("message", "")})
    async with unit_of_work(request.app) as db:
        mentorship = await mentorships.request_mentorship(db, user, data)
        told = await mentorship_requested(db, mentorship, user)
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect("/dashboard?asked=1")


async def decide_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    async with unit_of_work(request.app) as db:
        mentorship = await mentorships.decide(
            db,
            user,
            int_param(request, "mentorship_id"),
            accept=form.get("decision") == "accept",
        )
        told = await mentorship_answered(db, mentorship, user)
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect("/dashboard")


async def schedule_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    async with unit_of_work(request.app) as db:
        zone = (await get_profile(db, user.id)).timezone
        values = {
            "title": form.get("title", ""),
            "starts_at": local_to_aware(str(form.get("starts_at", "")), zone),
            "duration_minutes": form.get("duration_minutes", ""),
            "mentorship_id": form.get("mentorship_id") or None,
            "kind": "one_on_one",
        }
        session = await create_session(db, user, validate(SessionIn, values))
    raise redirect(f"/sessions/{session.id}")
