"""Booking API: a mentor's availability, their free slots, booking, rescheduling, cancelling."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from models.availability import Availability, availability_of
from models.base import utcnow
from models.notifications import NotificationKind
from models.slots import Interval
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.booking_schemas import AvailabilityIn, BookingIn, CancelIn, SessionRescheduleIn
from server.db import unit_of_work
from server.errors import ApiError, read_json
from server.params import int_param
from server.representations import session_json
from server.services import booking
from server.services.booking_notices import record_session_change
from server.services.calendar_feed import site_of

routes = ApiRoutes("bookings")


def availability_json(row: Availability | None) -> dict[str, Any] | None:
    """The stored availability in the shape PUT accepts."""
    if row is None:
        return None
    return {
        "timezone": row.timezone,
        "weekly": row.weekly,
        "overrides": row.overrides,
        "session_minutes": row.session_minutes,
        "buffer_minutes": row.buffer_minutes,
        "min_notice_hours": row.min_notice_hours,
        "horizon_days": row.horizon_days,
        "weekly_booking_cap": row.weekly_booking_cap,
        "cancellation_notice_hours": row.cancellation_notice_hours,
    }


def slots_json(slots: list[Interval]) -> list[dict[str, str]]:
    """Slots in UTC with an explicit offset."""
    return [{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in slots]


def _query_time(request: web.Request, name: str, default: datetime) -> datetime:
    raw = request.query.get(name)
    if not raw:
        return default
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ApiError(
            422,
            "validation_error",
            f"{name} must be an ISO 8601 time with an offset.",
            fields={name: "Like 2030-03-01T09:00:00+01:00."},
        )
    return value


def _query_minutes(request: web.Request) -> int | None:
    raw = request.query.get("duration")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 4:
        raise ApiError(
            422,
            "validation_error",
            "duration is a number of minutes.",
            fields={"duration": "A whole number of minutes."},
        )
    return int(raw)


@routes.route("GET", "/me/availability", "My bookable availability (null when never set)")
async def my_availability(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        row = await availability_of(db, user.id)
    return web.json_response({"availability": availability_json(row)})


@routes.route(
    "PUT", "/me/availability", "Set my weekly windows, overrides and limits", body=AvailabilityIn
)
async def set_availability(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, AvailabilityIn)
    async with unit_of_work(request.app) as db:
        row = await booking.save_availability(db, user, data)
    return web.json_response({"availability": availability_json(row)})


@routes.route("GET", "/mentors/{mentor_id}/slots", "A mentor's free slots (active mentees only)")
async def slots(request: web.Request) -> web.Response:
    user = await require_user(request)
    mentor_id = int_param(request, "mentor_id")
    now = utcnow()
    start = _query_time(request, "start", now)
    end = _query_time(request, "end", start + timedelta(days=14))
    async with unit_of_work(request.app) as db:
        await booking.booking_consent(db, user, mentor_id)
        found = await booking.free_slots_for(
            db,
            mentor_id,
            user,
            start=start,
            end=end,
            duration_minutes=_query_minutes(request),
            now=now,
        )
    return web.json_response({"slots": slots_json(found)})


async def slot_taken(
    request: web.Request, mentor_id: int, after: datetime, minutes: int
) -> web.Response:
    """The 409 answer to a taken slot, with the next free ones (read after the rollback)."""
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        nearby = await booking.next_free_slots(db, mentor_id, user, after, minutes, utcnow())
    error = {
        "code": "slot_taken",
        "message": "Someone else just took that time; here are the next free slots.",
        "next_slots": slots_json(nearby),
    }
    return web.json_response({"error": error}, status=409)


@routes.route("POST", "/bookings", "Book one of a mentor's free slots", body=BookingIn, status=201)
async def create(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, BookingIn)
    try:
        async with unit_of_work(request.app) as db:
            session = await booking.book(db, user, data, utcnow())
            told = await record_session_change(
                db, site_of(request.app), session, NotificationKind.SESSION_BOOKED, user
            )
    except booking.SlotTaken:
        return await slot_taken(request, data.mentor_id, data.starts_at, data.duration_minutes)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"session": session_json(session)}, status=201)


@routes.route(
    "POST",
    "/sessions/{session_id}/reschedule",
    "Move a booked session to another free slot",
    body=SessionRescheduleIn,
)
async def reschedule(request: web.Request) -> web.Response:
    user = await require_user(request)
    session_id = int_param(request, "session_id")
    data = await read_json(request, SessionRescheduleIn)
    try:
        async with unit_of_work(request.app) as db:
            session = await booking.reschedule(db, user, session_id, data.starts_at, utcnow())
            told = await record_session_change(
                db,
                site_of(request.app),
                session,
                NotificationKind.SESSION_RESCHEDULED,
                user,
                data.reason,
            )
    except booking.SlotTaken:
        async with unit_of_work(request.app) as db:
            found = await booking.session_for(db, user, session_id)
        return await slot_taken(request, found.host_id, data.starts_at, found.duration_minutes)
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"session": session_json(session)})


@routes.route(
    "POST", "/sessions/{session_id}/cancel", "Cancel a session, with a reason", body=CancelIn
)
async def cancel(request: web.Request) -> web.Response:
    user = await require_user(request)
    session_id = int_param(request, "session_id")
    data = await read_json(request, CancelIn)
    async with unit_of_work(request.app) as db:
        session = await booking.cancel(db, user, session_id, data.reason, utcnow())
        told = await record_session_change(
            db, site_of(request.app), session, NotificationKind.SESSION_CANCELLED, user, data.reason
        )
    request.app[keys.NOTIFIER].deliver(told)
    return web.json_response({"session": session_json(session)})
