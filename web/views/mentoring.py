"""Pages for finding a mentor, answering requests and scheduling sessions."""

from __future__ import annotations

from aiohttp import web

from models.mentorships import MentorshipStatus, mentorships_of
from models.users import get_profile, mentors_directory
from server import keys
from server.db import unit_of_work
from server.errors import ApiError
from server.params import int_param
from server.representations import public_profile
from server.schemas import MentorshipIn, SessionIn
from server.services import mentorships
from server.services.activity_notices import mentorship_answered, mentorship_requested
from server.services.sessions import create_session
from web.forms import local_to_aware, read_form, text_fields, validate_form
from web.rendering import page_user, redirect, render
from web.views.dashboard import render_dashboard, render_profile


async def mentors_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    async with unit_of_work(request.app) as db:
        mentors = [(m, public_profile(p)) for m, p in await mentors_directory(db)]
        mine = {
            m.mentor_id: m
            for m in await mentorships_of(db, user.id)
            if m.mentee_id == user.id and m.status in OPEN_STATUSES
        }
    return await render(request, "mentors.html", {"mentors": mentors, "mine": mine})


OPEN_STATUSES = (MentorshipStatus.REQUESTED, MentorshipStatus.ACTIVE)


async def ask_mentor_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    mentor_id = int_param(request, "user_id")
    typed = text_fields(form, ["message"])
    try:
        data = validate_form(
            MentorshipIn, {"mentor_id": mentor_id, "message": typed.get("message", "")}
        )
        async with unit_of_work(request.app) as db:
            mentorship = await mentorships.request_mentorship(db, user, data)
            told = await mentorship_requested(db, mentorship, user)
    except ApiError as exc:
        ask = {"form": typed, "errors": exc.fields or {}, "message": exc.message}
        return await render_profile(request, user, mentor_id, ask=ask, status=exc.status)
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
    typed = text_fields(form, ["title", "starts_at", "duration_minutes", "mentorship_id"])
    try:
        async with unit_of_work(request.app) as db:
            zone = (await get_profile(db, user.id)).timezone
            values = {
                "title": typed.get("title", ""),
                "starts_at": local_to_aware(typed.get("starts_at", ""), zone),
                "duration_minutes": typed.get("duration_minutes", ""),
                "mentorship_id": typed.get("mentorship_id") or None,
                "kind": "one_on_one",
            }
            session = await create_session(db, user, validate_form(SessionIn, values))
    except ApiError as exc:
        if not exc.fields:
            raise
        schedule = {"form": typed, "errors": exc.fields, "message": exc.message}
        return await render_dashboard(request, user, schedule=schedule, status=exc.status)
    raise redirect(f"/sessions/{session.id}")
