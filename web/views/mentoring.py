"""Pages for finding a mentor, answering requests and scheduling sessions."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from aiohttp import web

from models.base import utcnow
from models.mentorships import OPEN_STATUSES, mentorships_of
from models.users import get_profile
from server import keys
from server.db import unit_of_work
from server.errors import ApiError
from server.params import int_param
from server.schemas import MentorshipIn, SessionIn
from server.services import matching, mentorships
from server.services.activity_notices import mentorship_answered, mentorship_requested
from server.services.matching import DirectoryQuery, directory_query
from server.services.sessions import create_session
from web.forms import local_to_aware, read_form, text_fields, validate_form
from web.rendering import page_user, redirect, render
from web.views.dashboard import render_dashboard, render_profile
from web.views.mentor_suggestions import suggestions_for_page


async def mentors_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    settings = request.app[keys.SETTINGS]
    now = utcnow()
    problem = None
    try:
        query = directory_query(request.query)
    except ApiError as exc:
        problem, query = exc.message, DirectoryQuery()
    async with unit_of_work(request.app) as db:
        await matching.expire_requests(db, now, settings.request_expiry_hours)
        catalog = await request.app[keys.MENTOR_CATALOG].current(db, now)
        viewer = await matching.viewer_person(db, user)
        try:
            page = matching.directory_page(catalog, query, viewer)
        except ApiError as exc:
            problem = exc.message
            page = matching.directory_page(catalog, DirectoryQuery(q=query.q), viewer)
        all_mine = await mentorships_of(db, user.id)
        mine = {
            m.mentor_id: m for m in all_mine if m.mentee_id == user.id and m.status in OPEN_STATUSES
        }
        suggested = []
        if query == DirectoryQuery():
            suggested = await suggestions_for_page(request, db, user, all_mine, now)
    args = {k: v for k, v in request.query.items() if k != "page"}
    return await render(
        request,
        "mentors.html",
        {
            "cards": [(catalog.users[i], catalog.profiles[i], m, i) for i, m in page.rows],
            "suggested": suggested,
            "bands": {i: catalog.index.in_person_band(viewer, i) for i, _ in page.rows},
            "places": {i: int(catalog.index.open_places[i]) for i, _ in page.rows},
            "mine": mine,
            "query": query,
            "problem": problem,
            "total": page.total,
            "next_url": f"/mentors?{urlencode({**args, 'page': query.page + 1})}"
            if page.has_next
            else None,
            "prev_url": f"/mentors?{urlencode({**args, 'page': query.page - 1})}"
            if query.page > 1
            else None,
            "can_meet": viewer.lat is not None,
        },
    )


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
    hours = request.app[keys.SETTINGS].request_expiry_hours
    async with unit_of_work(request.app) as db:
        mentorship = await mentorships.decide(
            db,
            user,
            int_param(request, "mentorship_id"),
            accept=form.get("decision") == "accept",
            expiry=timedelta(hours=hours),
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
