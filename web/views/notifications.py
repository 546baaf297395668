"""The notifications page: what happened, marking it read, and how each kind is delivered."""

from __future__ import annotations

from aiohttp import web

from models.notifications import (
    NotificationKind,
    email_choices,
    mark_read,
    notifications_of,
    set_email_choice,
)
from models.users import get_profile
from server import keys
from server.db import unit_of_work
from server.services.calendar_feed import feed_address, new_feed_address, site_of
from web.forms import read_form
from web.rendering import page_user, redirect, render

LABELS = {
    NotificationKind.MENTORSHIP_REQUESTED: "Someone asks you to mentor them",
    NotificationKind.MENTORSHIP_ANSWERED: "A mentor answers your request",
    NotificationKind.SESSION_BOOKED: "A session is booked",
    NotificationKind.SESSION_RESCHEDULED: "A session is moved",
    NotificationKind.SESSION_CANCELLED: "A session is cancelled",
    NotificationKind.MEETUP_PROPOSED: "A meetup is proposed",
    NotificationKind.MEETUP_ANSWERED: "A meetup is answered",
    NotificationKind.ACTION_ITEM_ASSIGNED: "An action item is assigned to you",
    NotificationKind.REMINDER: "Reminders 24 hours and 15 minutes before",
    NotificationKind.NO_SHOW: "Someone did not join a session",
    NotificationKind.CHECK_IN: "A check-in after a session",
    NotificationKind.MENTORSHIP_ENDED: "A mentorship is ended",
}


async def notifications_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    async with unit_of_work(request.app) as db:
        items = await notifications_of(db, user.id)
        choices = await email_choices(db, user.id)
        zone = (await get_profile(db, user.id)).timezone
        feed = await feed_address(
            db, site_of(request.app), request.app[keys.SETTINGS].secret_key, user.id
        )
    return await render(
        request,
        "notifications.html",
        {
            "items": items,
            "choices": [(kind.value, LABELS[kind], by_email) for kind, by_email in choices.items()],
            "zone": zone,
            "saved": request.query.get("saved") == "1",
            "feed": feed,
            "rotated": request.query.get("rotated") == "1",
        },
    )


async def read_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    await read_form(request)
    async with unit_of_work(request.app) as db:
        await mark_read(db, user.id, None)
    request.app[keys.NOTIFIER].hub.publish(user.id)
    raise redirect("/notifications")


async def preferences_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    by_email = set(form.getall("email", []))
    async with unit_of_work(request.app) as db:
        for kind in NotificationKind:
            await set_email_choice(db, user.id, kind, kind.value in by_email)
    raise redirect("/notifications?saved=1")


async def rotate_feed_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    await read_form(request)
    async with unit_of_work(request.app) as db:
        await new_feed_address(
            db, site_of(request.app), request.app[keys.SETTINGS].secret_key, user.id
        )
    raise redirect("/notifications?rotated=1#calendar")
