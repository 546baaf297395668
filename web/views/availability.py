"""The availability page: a mentor's week as an hour grid, plus lengths, limits and days off."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from models.availability import Availability, availability_of
from models.mentorships import MentorshipStatus, mentorships_of
from models.no_shows import no_show_counts
from models.users import get_profile, users_by_ids
from server.booking_schemas import AvailabilityIn
from server.db import unit_of_work
from server.errors import ApiError, validate
from server.services.booking import save_availability
from web.forms import read_form
from web.rendering import page_user, redirect, render

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LENGTHS = (15, 30, 45, 60, 90)
_OVERRIDE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(.+)$")


def hours_of(weekly: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """The (weekday, hour) cells lying wholly inside the weekly windows."""
    cells: set[tuple[int, int]] = set()
    for window in weekly:
        start = int(window["start"][:2]) * 60 + int(window["start"][3:])
        end = int(window["end"][:2]) * 60 + int(window["end"][3:])
        if end <= start:
            end += 24 * 60
        for hour in range((start + 59) // 60, end // 60):
            cells.add(((window["weekday"] + hour // 24) % 7, hour % 24))
    return cells


def windows_of(cells: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """Grid cells back to windows: each run of hours in a day becomes one window."""
    windows = []
    for day in range(7):
        hours = sorted(h for d, h in cells if d == day)
        run_start = None
        for index, hour in enumerate(hours):
            if run_start is None:
                run_start = hour
            if index + 1 == len(hours) or hours[index + 1] != hour + 1:
                end = (hour + 1) % 24
                windows.append(
                    {"weekday": day, "start": f"{run_start:02d}:00", "end": f"{end:02d}:00"}
                )
                run_start = None
    return windows


def overrides_text(overrides: list[dict[str, Any]]) -> str:
    """Overrides as the page's text: one date per line, "off" or its windows."""
    lines = []
    for item in overrides:
        windows = ", ".join(f"{w['start']}-{w['end']}" for w in item["windows"]) or "off"
        lines.append(f"{item['date']} {windows}")
    return "\n".join(lines)


def parse_overrides(text: str) -> list[dict[str, Any]]:
    """The overrides text as API input; a line that cannot be read is an error naming it."""
    found = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        match = _OVERRIDE.match(line)
        if match is None:
            raise _field_error("overrides", f"Cannot read {line!r}: use 2030-12-24 off")
        day, rest = match.groups()
        windows = []
        if rest.strip().lower() != "off":
            for part in rest.split(","):
                start, _, end = part.strip().partition("-")
                windows.append({"start": start.strip(), "end": end.strip()})
        found.append({"date": day, "windows": windows})
    return found


def _field_error(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, fields={field: message})


_NUMBERS = (
    "buffer_minutes",
    "min_notice_hours",
    "horizon_days",
    "weekly_booking_cap",
    "cancellation_notice_hours",
)


def _cells(form: MultiDictProxy[str]) -> set[tuple[int, int]]:
    cells = set()
    for raw in form.getall("cell", []):
        day, _, hour = str(raw).partition("-")
        if day.isdigit() and hour.isdigit() and int(day) < 7 and int(hour) < 24:
            cells.add((int(day), int(hour)))
    return cells


def _posted(form: MultiDictProxy[str]) -> dict[str, Any]:
    """What was posted, shown again with the error when it cannot be saved."""
    return {
        "timezone": str(form.get("timezone", "")),
        "cells": _cells(form),
        "overrides": str(form.get("overrides", "")),
        "session_minutes": [int(m) for m in form.getall("session_minutes", []) if m.isdigit()],
        **{name: str(form.get(name, "")) for name in _NUMBERS},
    }


def _api_input(posted: dict[str, Any]) -> dict[str, Any]:
    return {
        "timezone": posted["timezone"],
        "weekly": windows_of(posted["cells"]),
        "overrides": parse_overrides(posted["overrides"]),
        "session_minutes": posted["session_minutes"],
        **{name: posted[name] or 0 for name in _NUMBERS},
    }


def _page_values(row: Availability | None, zone: str) -> dict[str, Any]:
    if row is None:
        return {
            "timezone": zone,
            "cells": set(),
            "overrides": "",
            "session_minutes": [30],
            "buffer_minutes": 0,
            "min_notice_hours": 12,
            "horizon_days": 30,
            "weekly_booking_cap": 0,
            "cancellation_notice_hours": 24,
        }
    return {
        "timezone": row.timezone,
        "cells": hours_of(row.weekly),
        "overrides": overrides_text(row.overrides),
        "session_minutes": row.session_minutes,
        "buffer_minutes": row.buffer_minutes,
        "min_notice_hours": row.min_notice_hours,
        "horizon_days": row.horizon_days,
        "weekly_booking_cap": row.weekly_booking_cap,
        "cancellation_notice_hours": row.cancellation_notice_hours,
    }


async def _render(
    request: web.Request,
    values: dict[str, Any],
    *,
    error: str = "",
    status: int = 200,
    no_shows: list[tuple[str, int]] | None = None,
) -> web.Response:
    return await render(
        request,
        "availability.html",
        {
            "days": DAYS,
            "lengths": LENGTHS,
            "v": values,
            "error": error,
            "saved": request.query.get("saved") == "1",
            "no_shows": no_shows,
        },
        status=status,
    )


async def availability_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    if not user.has_role("mentor"):
        raise ApiError(403, "not_a_mentor", "Only mentors open time for booking.")
    async with unit_of_work(request.app) as db:
        row = await availability_of(db, user.id)
        zone = (await get_profile(db, user.id)).timezone
        mentee_ids = [
            m.mentee_id
            for m in await mentorships_of(db, user.id)
            if m.mentor_id == user.id and m.status == MentorshipStatus.ACTIVE
        ]
        counts = await no_show_counts(db, mentee_ids)
        names = await users_by_ids(db, mentee_ids)
    no_shows = [(names[uid].name, counts.get(uid, 0)) for uid in mentee_ids if uid in names]
    return await _render(request, _page_values(row, zone), no_shows=no_shows)


async def availability_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    posted = _posted(await read_form(request))
    try:
        data = validate(AvailabilityIn, _api_input(posted))
        async with unit_of_work(request.app) as db:
            await save_availability(db, user, data)
    except ApiError as error:
        if error.status != 422:
            raise
        details = "; ".join(f"{k}: {v}" for k, v in (error.fields or {}).items())
        message = f"{error.message} {details}".strip()
        return await _render(request, posted, error=message, status=422)
    raise redirect("/availability?saved=1")
