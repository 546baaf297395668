"""Meetups API: place search, suggestions, proposing and answering, calendar export."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from models.base import utcnow
from models.meetups import AttendanceMode, Meetup, get_meetup_for, meetups_of
from models.places import ATTRIBUTION
from models.users import users_by_ids
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.calendar import meetup_ics
from server.db import unit_of_work
from server.errors import ApiError, not_found, read_json
from server.params import int_param
from server.schemas import HybridOfficeHoursIn, MeetupIn, RescheduleIn, RsvpIn
from server.services import meetups as service
from server.services.activity_notices import meetup_answered, meetup_proposed
from server.services.calendar_feed import site_of
from server.services.hybrid_office_hours import make_hybrid
from server.services.meetup_sessions import rsvp as rsvp_service
from server.services.meetups import Suggestion

routes = ApiRoutes("meetups")


def suggestion_json(suggestion: Suggestion) -> dict[str, Any]:
    """A suggestion: distance only as a band, a city (never a midpoint), no coordinates."""
    return {
        "kind": suggestion.kind,
        "with": suggestion.with_ids,
        "names": {str(k): v for k, v in suggestion.names.items()},
        "distance_band": suggestion.distance_band,
        "place": {"name": suggestion.place.name, "country": suggestion.place.country},
        "your_travel_km": suggestion.your_travel_km,
        "others_travel": {str(k): v for k, v in suggestion.others_travel_band.items()},
        "times": [t.isoformat() for t in suggestion.times],
        "reason": suggestion.reason,
    }


def meetup_json(meetup: Meetup) -> dict[str, Any]:
    """A meetup, everyone's answer and how they come: the place is the only location in it."""
    return {
        "id": meetup.id,
        "proposer_id": meetup.proposer_id,
        "mode": meetup.mode.value,
        "session_id": meetup.session_id,
        "place": {"name": meetup.place_name, "country": meetup.place_country},
        "starts_at": meetup.starts_at.isoformat(),
        "duration_minutes": meetup.duration_minutes,
        "status": meetup.status.value,
        "participants": [
            {"user_id": p.user_id, "response": p.response.value, "attendance": p.attendance.value}
            for p in meetup.participants
        ],
        "ics_url": f"/api/v1/meetups/{meetup.id}.ics",
    }


@routes.route("GET", "/geocode", "Find cities by name (q=...), largest first")
async def geocode(request: web.Request) -> web.Response:
    await require_user(request)
    query = request.query.get("q", "").strip()
    if not query or len(query) > 200:
        raise ApiError(
            422,
            "validation_error",
            "Give a place name of 1 to 200 characters as q.",
            fields={"q": "Required, at most 200 characters."},
        )
    places = await request.app[keys.GEOCODING].search(query)
    if not places:
        raise ApiError(
            422,
            "place_not_found",
            f"No city matches {query!r}. Check the spelling or try a larger city nearby.",
        )
    return web.json_response(
        {"results": [p.as_suggestion() for p in places], "attribution": ATTRIBUTION}
    )


@routes.route("GET", "/meetups/suggestions", "People I could meet in person, where and when")
async def suggestions(request: web.Request) -> web.Response:
    user = await require_user(request)
    geocoding = request.app[keys.GEOCODING]
    async with unit_of_work(request.app) as db:
        found = await service.suggestions_for(db, geocoding.cities, user, utcnow())
    return web.json_response(
        {"suggestions": [suggestion_json(s) for s in found], "attribution": ATTRIBUTION}
    )


@routes.route("POST", "/meetups", "Propose a meetup", body=MeetupIn, status=201)
async def propose(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, MeetupIn)
    async with unit_of_work(request.app) as db:
        meetup = await service.propose(db, request.app[keys.GEOCODING], user, data)
        told = await meetup_proposed(db, meetup, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"meetup": meetup_json(meetup)}, status=201)


@routes.route("GET", "/meetups", "My meetups that have not ended, soonest first")
async def mine(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        found = await meetups_of(db, user.id, since=utcnow())
    return web.json_response({"meetups": [meetup_json(m) for m in found]})


@routes.route("GET", "/meetup-requests", "Meetups I am asked to by someone I have no contact with")
async def requests(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        found = await meetups_of(db, user.id, since=utcnow(), requests=True)
    return web.json_response({"meetups": [meetup_json(m) for m in found]})


async def _answer(request: web.Request, *, accept: bool) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        meetup = await service.answer(db, user, int_param(request, "meetup_id"), accept=accept)
        told = await meetup_answered(db, meetup, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"meetup": meetup_json(meetup)})


@routes.route("POST", "/meetups/{meetup_id}/accept", "Accept a meetup")
async def accept(request: web.Request) -> web.Response:
    return await _answer(request, accept=True)


@routes.route("POST", "/meetups/{meetup_id}/decline", "Decline a meetup")
async def decline(request: web.Request) -> web.Response:
    return await _answer(request, accept=False)


@routes.route(
    "POST",
    "/meetups/{meetup_id}/rsvp",
    "Say how I come: in person, remote (by video) or declined",
    body=RsvpIn,
)
async def rsvp(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, RsvpIn)
    attendance = AttendanceMode(data.attendance)
    async with unit_of_work(request.app) as db:
        meetup = await rsvp_service(db, user, int_param(request, "meetup_id"), attendance, utcnow())
        told = await meetup_answered(db, meetup, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"meetup": meetup_json(meetup)})


@routes.route(
    "POST",
    "/meetups/{meetup_id}/reschedule",
    "Move a meetup; others answer again",
    body=RescheduleIn,
)
async def reschedule(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, RescheduleIn)
    async with unit_of_work(request.app) as db:
        meetup = await service.reschedule(db, user, int_param(request, "meetup_id"), data.starts_at)
    return web.json_response({"meetup": meetup_json(meetup)})


@routes.route("GET", "/meetups/{meetup_id}.ics", "The meetup as an iCalendar event")
async def ics(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        meetup = await get_meetup_for(db, int_param(request, "meetup_id"), user.id)
        if meetup is None:
            raise not_found("meetup")
        people = await users_by_ids(db, [p.user_id for p in meetup.participants])
    body = meetup_ics(meetup, people, site_of(request.app))
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="tandem-meetup-{meetup.id}.ics"'},
    )


@routes.route(
    "POST",
    "/office-hours/{office_hours_id}/hybrid",
    "Turn an occurrence hybrid: nearby attendees meet in person, the rest join by video",
    body=HybridOfficeHoursIn,
    status=201,
)
async def hybrid(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, HybridOfficeHoursIn)
    series_id = int_param(request, "office_hours_id")
    async with unit_of_work(request.app) as db:
        meetup = await make_hybrid(db, request.app[keys.GEOCODING], user, series_id, data, utcnow())
        told = await meetup_proposed(db, meetup, user)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"meetup": meetup_json(meetup)}, status=201)
