"""Meeting in person from the dashboard: propose a suggested meetup, answer invitations."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from models.agenda import agenda_of
from models.base import utcnow
from models.check_ins import check_ins_of
from models.meetups import AttendanceMode, get_meetup_for
from models.places import ATTRIBUTION
from models.sessions import get_session_for
from models.users import User, get_profile, users_by_ids
from server import keys
from server.db import unit_of_work
from server.errors import ApiError, not_found
from server.params import int_param
from server.schemas import MeetupIn, RescheduleIn, RsvpIn
from server.services import meetups as service
from server.services.activity_notices import meetup_answered, meetup_proposed
from server.services.meetup_sessions import check_in_by_code, rsvp, tick_in
from web.forms import local_to_aware, read_form, text_fields, validate_form
from web.rendering import page_user, redirect, render
from web.views.dashboard import render_dashboard


async def propose_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    values = {
        "participant_ids": [v for v in form.getall("participant_ids", []) if str(v).isdigit()],
        "place": {"name": form.get("place_name", ""), "country": form.get("place_country", "")},
        "starts_at": form.get("starts_at", ""),
    }
    try:
        data = validate_form(MeetupIn, values)
        async with unit_of_work(request.app) as db:
            meetup = await service.propose(db, request.app[keys.GEOCODING], user, data)
            told = await meetup_proposed(db, meetup, user)
    except ApiError as exc:
        reason = " ".join((exc.fields or {}).values()) or exc.message
        note = f"The meetup was not proposed: {reason}"
        return await render_dashboard(request, user, meet_error=note, status=exc.status)
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect("/dashboard#meet")


async def meetup_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    return await _render_meetup(request, user, int_param(request, "meetup_id"))


async def _render_meetup(
    request: web.Request,
    user: User,
    meetup_id: int,
    *,
    reschedule: dict[str, Any] | None = None,
    problem: str = "",
    status: int = 200,
) -> web.Response:
    """The meetup page; `reschedule` re-opens that form with what was typed and its errors."""
    now = utcnow()
    async with unit_of_work(request.app) as db:
        meetup = await get_meetup_for(db, meetup_id, user.id)
        if meetup is None:
            raise not_found("meetup")
        people = await users_by_ids(db, [p.user_id for p in meetup.participants])
        zone = (await get_profile(db, user.id)).timezone
        session = None
        if meetup.session_id is not None:
            session = await get_session_for(db, meetup.session_id, user.id)
        agenda = await agenda_of(db, session.id) if session else []
        present = {c.user_id for c in await check_ins_of(db, session.id)} if session else set()
    cities = await request.app[keys.GEOCODING].cities()
    lat, lon = round(meetup.place_latitude, 4), round(meetup.place_longitude, 4)
    return await render(
        request,
        "meetup.html",
        {
            "meetup": meetup,
            "people": people,
            "zone": zone,
            "place_zone": cities.timezone_at(meetup.place_latitude, meetup.place_longitude),
            "geo_uri": f"geo:{lat},{lon}?q={lat},{lon}({quote(meetup.place_name)})",
            "osm_url": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=13/{lat}/{lon}",
            "now": now,
            "mine": meetup.response_of(user.id),
            "session": session,
            "is_host": meetup.proposer_id == user.id,
            "joinable": session is not None and session.is_joinable(now),
            "agenda": agenda,
            "present": present,
            "code": request.query.get("code", "")[:12],
            "problem": problem,
            "attribution": ATTRIBUTION,
            "reschedule": reschedule or {"form": {}, "errors": {}},
        },
        status=status,
    )


async def rsvp_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    meetup_id = int_param(request, "meetup_id")
    try:
        data = validate_form(RsvpIn, {"attendance": form.get("attendance", "")})
        async with unit_of_work(request.app) as db:
            meetup = await rsvp(db, user, meetup_id, AttendanceMode(data.attendance), utcnow())
            told = await meetup_answered(db, meetup, user)
    except ApiError as exc:
        if exc.status == 404:
            raise
        problem, status = exc.message, exc.status
        return await _render_meetup(request, user, meetup_id, problem=problem, status=status)
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect(f"/meetups/{meetup_id}")


async def check_in_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    meetup_id = int_param(request, "meetup_id")
    ticked = str(form.get("user_id", ""))
    try:
        async with unit_of_work(request.app) as db:
            meetup = await get_meetup_for(db, meetup_id, user.id)
            if meetup is None or meetup.session_id is None:
                raise not_found("meetup")
            if ticked.isdigit():
                await tick_in(db, user, meetup.session_id, int(ticked), utcnow())
            else:
                code = str(form.get("code", "")).strip()[:12]
                await check_in_by_code(db, user, meetup.session_id, code, utcnow())
    except ApiError as exc:
        if exc.status == 404:
            raise
        problem, status = exc.message, exc.status
        return await _render_meetup(request, user, meetup_id, problem=problem, status=status)
    raise redirect(f"/meetups/{meetup_id}")


async def reschedule_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    meetup_id = int_param(request, "meetup_id")
    typed = text_fields(form, ["starts_at"])
    try:
        async with unit_of_work(request.app) as db:
            zone = (await get_profile(db, user.id)).timezone
            data = validate_form(
                RescheduleIn, {"starts_at": local_to_aware(typed.get("starts_at", ""), zone)}
            )
            await service.reschedule(db, user, meetup_id, data.starts_at)
    except ApiError as exc:
        if not exc.fields:
            raise
        reschedule = {"form": typed, "errors": exc.fields, "message": exc.message}
        return await _render_meetup(
            request, user, meetup_id, reschedule=reschedule, status=exc.status
        )
    raise redirect(f"/meetups/{meetup_id}")


async def answer_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    async with unit_of_work(request.app) as db:
        meetup = await service.answer(
            db, user, int_param(request, "meetup_id"), accept=form.get("answer") == "accept"
        )
        told = await meetup_answered(db, meetup, user)
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect("/dashboard#meet")
