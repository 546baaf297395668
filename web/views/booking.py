"""The booking page: a mentor's free slots in the mentee's own zone, the mentor's time beside."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from aiohttp import web

from models.availability import availability_of
from models.base import utcnow
from models.notifications import NotificationKind
from models.slots import Interval
from models.users import get_profile, get_user
from server import keys
from server.booking_schemas import BookingIn, CancelIn, SessionRescheduleIn
from server.db import unit_of_work
from server.errors import ApiError, not_found, validate
from server.params import int_param
from server.services import booking
from server.services.booking_notices import record_session_change
from server.services.calendar_feed import site_of
from web.forms import read_form
from web.rendering import page_user, redirect, render
from web.template_filters import in_zone

DAYS_SHOWN = 14


def _by_day(slots: list[Interval], zone: str, mentor_zone: str) -> list[dict[str, Any]]:
    """Slots grouped by the viewer's local day, each with both people's local times."""

    def day_of(slot: Interval) -> date:
        return in_zone(slot[0], zone).date()

    days = []
    for day, items in groupby(slots, key=day_of):
        days.append(
            {
                "label": day.strftime("%A %d %B"),
                "slots": [
                    {
                        "value": start.isoformat(),
                        "mine": in_zone(start, zone).strftime("%H:%M"),
                        "theirs": in_zone(start, mentor_zone).strftime("%a %H:%M"),
                    }
                    for start, _ in items
                ],
            }
        )
    return days


def _minutes(request: web.Request, offered: list[int]) -> int:
    raw = request.query.get("duration", "")
    return int(raw) if raw.isdigit() and int(raw) in offered else offered[0]


def _moving(request: web.Request) -> int | None:
    """The session being moved, when the page picks a new time for it."""
    raw = request.query.get("reschedule", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


async def _page(
    request: web.Request, *, error: str = "", status: int = 200, minutes: int | None = None
) -> web.Response:
    user = await page_user(request)
    mentor_id = int_param(request, "mentor_id")
    now = utcnow()
    moving = _moving(request)
    async with unit_of_work(request.app) as db:
        if moving is not None:
            session = await booking.session_for(db, user, moving)
            if session.host_id != mentor_id:
                raise not_found("session")
            minutes = session.duration_minutes
        mentor = await get_user(db, mentor_id)
        if mentor is None or not mentor.has_role("mentor"):
            raise not_found("mentor")
        await booking.booking_consent(db, user, mentor_id)
        availability = await availability_of(db, mentor_id)
        if availability is None:
            raise ApiError(404, "not_bookable", f"{mentor.name} has not opened time for booking.")
        offered = list(availability.session_minutes)
        if moving is None:
            minutes = minutes if minutes in offered else _minutes(request, offered)
        assert minutes is not None
        slots = await booking.free_slots_for(
            db,
            mentor_id,
            user,
            start=now,
            end=now + timedelta(days=DAYS_SHOWN),
            duration_minutes=minutes if moving is None else None,
            now=now,
            except_session=moving,
        )
        zone = (await get_profile(db, user.id)).timezone
    return await render(
        request,
        "book.html",
        {
            "mentor": mentor,
            "mentor_zone": availability.timezone,
            "zone": zone,
            "offered": offered,
            "minutes": minutes,
            "days": _by_day(slots, zone, availability.timezone),
            "error": error,
            "days_shown": DAYS_SHOWN,
            "moving": moving,
        },
        status=status,
    )


async def booking_page(request: web.Request) -> web.Response:
    return await _page(request)


async def booking_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    mentor_id = int_param(request, "mentor_id")
    form = await read_form(request)
    minutes = str(form.get("duration_minutes", ""))
    if not form.get("starts_at"):
        return await _page(request, error="Pick one of the times first.", status=422)
    data = validate(
        BookingIn,
        {
            "mentor_id": mentor_id,
            "starts_at": form.get("starts_at"),
            "duration_minutes": minutes,
            "agenda": form.get("agenda", ""),
        },
    )
    try:
        async with unit_of_work(request.app) as db:
            session = await booking.book(db, user, data, utcnow())
            told = await record_session_change(
                db, site_of(request.app), session, NotificationKind.SESSION_BOOKED, user
            )
    except booking.SlotTaken:
        return await _page(
            request,
            error="Someone else just took that time. Here are the times still free.",
            status=409,
            minutes=data.duration_minutes,
        )
    except ApiError as error:
        if error.status not in (409, 422):
            raise
        return await _page(
            request, error=error.message, status=error.status, minutes=data.duration_minutes
        )
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect(f"/sessions/{session.id}?booked=1")


async def reschedule_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    session_id = int_param(request, "session_id")
    form = await read_form(request)
    data = validate(
        SessionRescheduleIn,
        {"starts_at": form.get("starts_at") or None, "reason": form.get("reason", "")},
    )
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
        raise ApiError(409, "slot_taken", "Someone just took that time. Pick another.") from None
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect(f"/sessions/{session.id}?moved=1")


async def cancel_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    session_id = int_param(request, "session_id")
    form = await read_form(request)
    data = validate(CancelIn, {"reason": form.get("reason", "")})
    async with unit_of_work(request.app) as db:
        session = await booking.cancel(db, user, session_id, data.reason, utcnow())
        told = await record_session_change(
            db, site_of(request.app), session, NotificationKind.SESSION_CANCELLED, user, data.reason
        )
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect(f"/sessions/{session.id}")
