"""The JSON API under /api/v1: every area's route table, plus its OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from server.api import (
    accounts,
    admin,
    admin_matching,
    agenda,
    bookings,
    calendars,
    check_ins,
    feedback,
    goals,
    matching,
    meetups,
    mentorships,
    no_shows,
    notes,
    notifications,
    office_hours,
    progress,
    rooms,
    sessions,
)
from server.api.openapi import openapi_handler
from server.api.routing import PREFIX, ApiRoutes, Operation

AREAS: list[ApiRoutes] = [
    accounts.routes,
    mentorships.routes,
    matching.routes,
    admin_matching.routes,
    sessions.routes,
    rooms.routes,
    agenda.routes,
    office_hours.routes,
    meetups.routes,
    notes.routes,
    bookings.routes,
    calendars.routes,
    notifications.routes,
    no_shows.routes,
    goals.routes,
    progress.routes,
    feedback.routes,
    admin.routes,
    check_ins.routes,
]


def setup_api(app: web.Application, extra: tuple[ApiRoutes, ...] = ()) -> list[Operation]:
    """Add every API route (ours and those of other packages) and the OpenAPI document."""
    operations: list[Operation] = []
    for area in [*AREAS, *extra]:
        area.add_to(app)
        operations.extend(area.operations)
    app.router.add_get(PREFIX + "/openapi.json", openapi_handler(operations))
    return operations
