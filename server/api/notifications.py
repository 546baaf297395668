"""Notifications API: my list, marking read, a live stream of the unread count, preferences."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web

from models.notifications import (
    Notification,
    email_choices,
    mark_read,
    notifications_of,
    set_email_choice,
    unread_count,
)
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.booking_schemas import NotificationPreferencesIn, NotificationsReadIn
from server.db import unit_of_work
from server.errors import ApiError, read_json

routes = ApiRoutes("notifications")

# The stream re-reads the count this often even without news: notices made by another
# server process reach this one's pages too, a little later.
RECHECK_SECONDS = 15.0


def notification_json(item: Notification) -> dict[str, Any]:
    """One notification."""
    return {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "url": item.url,
        "created_at": item.created_at.isoformat(),
        "read": item.read_at is not None,
    }


@routes.route("GET", "/notifications", "My latest notifications and the unread count")
async def mine(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        items = await notifications_of(db, user.id)
        unread = await unread_count(db, user.id)
    return web.json_response(
        {"notifications": [notification_json(n) for n in items], "unread": unread}
    )


@routes.route(
    "POST",
    "/notifications/read",
    "Mark some (ids) or all notifications read",
    body=NotificationsReadIn,
)
async def read(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, NotificationsReadIn)
    async with unit_of_work(request.app) as db:
        await mark_read(db, user.id, data.ids)
        unread = await unread_count(db, user.id)
    request.app[keys.NOTIFIER].hub.publish(user.id)  # other open tabs update their count
    return web.json_response({"unread": unread})


@routes.route("GET", "/me/notification-preferences", "Which notifications also come by e-mail")
async def preferences(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        choices = await email_choices(db, user.id)
    return web.json_response({"email": {k.value: v for k, v in choices.items()}})


@routes.route(
    "PUT",
    "/me/notification-preferences",
    "Choose per kind: in-app only, or in-app and e-mail",
    body=NotificationPreferencesIn,
)
async def set_preferences(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, NotificationPreferencesIn)
    async with unit_of_work(request.app) as db:
        for kind, by_email in data.email.items():
            await set_email_choice(db, user.id, kind, by_email)
        choices = await email_choices(db, user.id)
    return web.json_response({"email": {k.value: v for k, v in choices.items()}})


async def _unread_event(request: web.Request, user_id: int) -> bytes:
    async with unit_of_work(request.app) as db:
        unread = await unread_count(db, user_id)
        latest = await notifications_of(db, user_id, limit=1)
    data = {"unread": unread, "latest": notification_json(latest[0]) if latest else None}
    return f"event: unread\ndata: {json.dumps(data)}\n\n".encode()


@routes.route("GET", "/notifications/stream", "Server-sent events: the unread count, live")
async def stream(request: web.Request) -> web.StreamResponse:
    user = await require_user(request)
    hub = request.app[keys.NOTIFIER].hub
    queue = hub.subscribe(user.id)
    if queue is None:
        raise ApiError(
            429, "too_many_streams", "Too many open notification streams; close a tab or two."
        )
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    try:
        await response.prepare(request)
        last = b""
        while True:
            event = await _unread_event(request, user.id)
            if event != last:
                await response.write(event)
                last = event
            else:
                await response.write(b": still here\n\n")
            news = True
            with contextlib.suppress(TimeoutError):
                news = await asyncio.wait_for(queue.get(), RECHECK_SECONDS)
            if not news:
                break
    except ConnectionResetError:  # the page went away
        pass
    finally:
        hub.unsubscribe(user.id, queue)
    return response
