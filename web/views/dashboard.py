"""The landing page, each user's dashboard and public profiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from models.agenda import open_action_items_of
from models.base import utcnow
from models.goals import goals_at_a_glance
from models.meetups import Meetup, MeetupStatus, meetups_of
from models.mentorships import (
    answer_record,
    last_answer_at,
    mentorships_of,
    open_mentorship_between,
)
from models.places import ATTRIBUTION
from models.sessions import MentoringSession, session_requests_of, sessions_of
from models.users import User, get_profile, get_user, last_login_at, users_by_ids
from server import keys
from server.auth import current_user
from server.db import unit_of_work
from server.errors import not_found
from server.params import int_param
from server.representations import public_profile as public_profile_json
from server.services import matching
from server.services.feedback import mentor_record
from server.services.meetups import Suggestion, suggestions_for
from web.rendering import page_user, render
from web.views.mentor_suggestions import suggestions_for_page


async def landing(request: web.Request) -> web.Response:
    if await current_user(request) is not None:
        raise web.HTTPSeeOther("/dashboard")
    return await render(request, "landing.html")


async def dashboard(request: web.Request) -> web.Response:
    user = await page_user(request)
    return await render_dashboard(request, user)


async def render_dashboard(
    request: web.Request,
    user: User,
    *,
    schedule: dict[str, Any] | None = None,
    meet_error: str = "",
    status: int = 200,
) -> web.Response:
    """The dashboard; `schedule` re-opens a scheduling form with what was typed and its errors,
    `meet_error` says why a meetup was not proposed."""
    now = utcnow()
    async with unit_of_work(request.app) as db:
        profile = await get_profile(db, user.id)
        sessions = await sessions_of(db, user.id, since=now)
        await matching.expire_requests(db, now, request.app[keys.SETTINGS].request_expiry_hours)
        mentorships = await mentorships_of(db, user.id)
        goals = await goals_at_a_glance(db, [m.id for m in mentorships])
        action_items = await open_action_items_of(db, user.id)
        meetups = await meetups_of(db, user.id, since=now)
        # Asked by people with no contact yet: shown apart, as requests, until answered.
        session_requests = await session_requests_of(db, user.id)
        meetup_requests = await meetups_of(db, user.id, since=now, requests=True)
        suggestions = await suggestions_for(db, request.app[keys.GEOCODING].cities, user, now)
        mentor_suggestions = await suggestions_for_page(request, db, user, mentorships, now)
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
            "sessions": upcoming_by_series(sessions),
            "action_items": action_items,
            "meetups": meetups,
            "session_requests": session_requests,
            "meetup_requests": meetup_requests,
            "suggestions": not_yet_planned(suggestions, meetups),
            "attribution": ATTRIBUTION,
            "mentorships": mentorships,
            "mentor_suggestions": mentor_suggestions,
            "expiry_hours": request.app[keys.SETTINGS].request_expiry_hours,
            "goals": goals,
            "people": people,
            "now": now,
            "asked": "asked" in request.query,
            "schedule": schedule or {},
            "open_schedule": request.query.get("schedule", ""),
            "meet_error": meet_error,
        },
        status=status,
    )


def upcoming_by_series(
    sessions: Sequence[MentoringSession],
) -> list[tuple[MentoringSession, int]]:
    """Each upcoming session once, except that a weekly office-hours series shows only its next
    session, with how many more follow: (session, more)."""
    rows: list[tuple[MentoringSession, int]] = []
    seen: dict[int, int] = {}  # series id -> index in rows
    for session in sessions:
        series = session.office_hours_id
        if series is None:
            rows.append((session, 0))
        elif series in seen:
            first, more = rows[seen[series]]
            rows[seen[series]] = (first, more + 1)
        else:
            seen[series] = len(rows)
            rows.append((session, 0))
    return rows


def not_yet_planned(suggestions: list[Suggestion], meetups: Sequence[Meetup]) -> list[Suggestion]:
    """Suggestions minus those whose people already have an upcoming meetup with the user."""
    planned = [
        {p.user_id for p in m.participants} for m in meetups if m.status != MeetupStatus.DECLINED
    ]
    return [s for s in suggestions if not any(set(s.with_ids) <= people for people in planned)]


async def public_profile(request: web.Request) -> web.Response:
    user = await page_user(request)
    return await render_profile(request, user, int_param(request, "user_id"))


async def render_profile(
    request: web.Request,
    user: User,
    person_id: int,
    *,
    ask: dict[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    """Someone's profile, with what the viewer can do next with them (ask, or schedule)."""
    async with unit_of_work(request.app) as db:
        person = await get_user(db, person_id)
        if person is None:
            raise not_found("person")
        profile = await get_profile(db, person.id)
        as_mentor = await open_mentorship_between(db, person.id, user.id)
        as_mentee = await open_mentorship_between(db, user.id, person.id)
        record = await answer_record(db, person.id) if person.has_role("mentor") else None
        active = [
            t
            for t in (await last_login_at(db, person.id), await last_answer_at(db, person.id))
            if t
        ]
        mentor_line = await mentor_record(db, person.id) if person.has_role("mentor") else None
    return await render(
        request,
        "profile.html",
        {
            "person": person,
            "profile": public_profile_json(profile, is_owner=person.id == user.id),
            "as_mentor": as_mentor,
            "as_mentee": as_mentee,
            "record": record,
            "last_active": max(active) if active else None,
            "now": utcnow(),
            "mentor_line": mentor_line,
            "ask": ask or {"form": {}, "errors": {}},
        },
        status=status,
    )
