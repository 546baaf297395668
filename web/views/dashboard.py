"""The landing page, each user's dashboard and public profiles."""

from __future__ import annotations

from aiohttp import web

from models.agenda import open_action_items_of
from models.base import utcnow
from models.meetups import meetups_of
from models.mentorships import mentorships_of
from models.places import ATTRIBUTION
from models.sessions import session_requests_of, sessions_of
from models.users import get_profile, get_user, users_by_ids
from server import keys
from server.auth import current_user
from server.db import unit_of_work
from server.errors import not_found
from server.params import int_param
from server.representations import public_profile as public_profile_json
from server.services.meetups import suggestions_for
from web.rendering import page_user, render


async def landing(request: web.Request) -> web.Response:
    if await current_user(request) is not None:
        raise web.HTTPSeeOther("/dashboard")
    return await render(request, "landing.html")


async def dashboard(request: web.Request) -> web.Response:
    user = await page_user(request)
    now = utcnow()
    async with unit_of_work(request.app) as db:
        profile = await get_profile(db, user.id)
        sessions = await sessions_of(db, user.id, since=now)
        mentorships = await mentorships_of(db, user.id)
        action_items = await open_action_items_of(db, user.id)
        meetups = await meetups_of(db, user.id, since=now)
        # Asked by people with no contact yet: shown apart, as requests, until answered.
        session_requests = await session_requests_of(db, user.id)
        meetup_requests = await meetups_of(db, user.id, since=now, requests=True)
        suggestions = await suggestions_for(db, request.app[keys.GEOCODING].cities, user, now)
        people = await users_by_ids(
            db,
            [m.mentor_id for m in mentorships]
            + [m.mentee_id for m in mentorships]
            + [uid for s in sessions for uid in s.participant_ids]
            + [p.user_id for m in meetups for p in m.participants]
            + [s.host_id for s in session_requests]
            + [m.proposer_id for m in meetup_requests],
        )
    return await render(
        request,
        "dashboard.html",
        {
            "profile": profile,
            "sessions": sessions,
            "action_items": action_items,
            "meetups": meetups,
            "session_requests": session_requests,
            "meetup_requests": meetup_requests,
            "suggestions": suggestions,
            "attribution": ATTRIBUTION,
            "mentorships": mentorships,
            "people": people,
            "now": now,
            "asked": "asked" in request.query,
        },
    )


async def public_profile(request: web.Request) -> web.Response:
    viewer = await page_user(request)
    async with unit_of_work(request.app) as db:
        person = await get_user(db, int_param(request, "user_id"))
        if person is None:
            raise not_found("person")
        profile = await get_profile(db, person.id)
    shown = public_profile_json(profile, is_owner=person.id == viewer.id)
    return await render(request, "profile.html", {"person": person, "profile": shown})
