"""Meeting in person from the dashboard: propose a suggested meetup, answer invitations."""

from __future__ import annotations

from aiohttp import web

from models.meetups import get_meetup_for
from models.places import ATTRIBUTION
from models.users import get_profile, users_by_ids
from server import keys
from server.db import unit_of_work
from server.errors import not_found, validate
from server.params import int_param
from server.schemas import MeetupIn, RescheduleIn
from server.services import meetups as service
from server.services.activity_notices import meetup_answered, meetup_proposed
from web.forms import local_to_aware, read_form
from web.rendering import page_user, redirect, render


async def propose_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    values = {
        "participant_ids": [v for v in form.getall("participant_ids", []) if str(v).isdigit()],
        "place": {"name": form.get("place_name", ""), "country": form.get("place_country", "")},
        "starts_at": form.get("starts_at", ""),
    }
    data = validate(MeetupIn, values)
    async with unit_of_work(request.app) as db:
        meetup = await service.propose(db, request.app[keys.GEOCODING], user, data)
        told = await meetup_proposed(db, meetup, user)
    request.app[keys.NOTIFIER].deliver(told)
    raise redirect("/dashboard#meet")


async def meetup_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    async with unit_of_work(request.app) as db:
        meetup = await get_meetup_for(db, int_param(request, "meetup_id"), user.id)
        if meetup is None:
            raise not_found("meetup")
        people = await users_by_ids(db, [p.user_id for p in meetup.participants])
        zone = (await get_profile(db, user.id)).timezone
    return await render(
        request,
        "meetup.html",
        {
            "meetup": meetup,
            "people": people,
            "zone": zone,
            "mine": meetup.response_of(user.id),
            "attribution": ATTRIBUTION,
        },
    )


async def reschedule_submit(request: web.Request) -> web.Response:
    user = await page_user(request)
    form = await read_form(request)
    meetup_id = int_param(request, "meetup_id")
    async with unit_of_work(request.app) as db:
        zone = (await get_profile(db, user.id)).timezone
        data = validate(
            RescheduleIn, {"starts_at": local_to_aware(str(form.get("starts_at", "")), zone)}
        )
        await service.reschedule(db, user, meetup_id, data.starts_at)
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
