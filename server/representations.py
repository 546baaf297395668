"""How domain objects look in JSON: one function per kind, so every route agrees."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.mentorships import Mentorship
from models.office_hours import (
    OfficeHours,
    occurrences_by_series,
    registered_ids,
    registration_counts,
)
from models.sessions import MentoringSession
from models.users import Profile, User, users_by_ids


def public_profile(profile: Profile | None, *, is_owner: bool = False) -> dict[str, Any]:
    """Profile fields anyone logged in may see: never coordinates, the city only when its owner
    chose to show it."""
    if profile is None:
        return {}
    shows_city = is_owner or profile.show_city
    return {
        "headline": profile.headline,
        "bio": profile.bio,
        "skills": profile.skills,
        "goals": profile.goals,
        "industry": profile.industry,
        "languages": profile.languages,
        "timezone": profile.timezone,
        "city": profile.city if shows_city else "",
        "country": profile.country,
        "open_to_meetups": profile.open_to_meetups,
        "mentor_capacity": profile.mentor_capacity,
    }


def public_user(
    user: User, profile: Profile | None = None, *, is_owner: bool = False
) -> dict[str, Any]:
    """A user as others see them: never the e-mail address."""
    data: dict[str, Any] = {"id": user.id, "name": user.name, "roles": user.roles}
    if profile is not None:
        data["profile"] = public_profile(profile, is_owner=is_owner)
    return data


def own_user(user: User, profile: Profile | None = None) -> dict[str, Any]:
    """A user as they see themselves."""
    data = public_user(user, profile, is_owner=True)
    data["email"] = user.email
    data["created_at"] = user.created_at.isoformat()
    if profile is not None:
        data["profile"]["max_travel_km"] = profile.max_travel_km
        data["profile"]["show_city"] = profile.show_city
        data["profile"]["has_location"] = profile.latitude is not None
    return data


def mentorship_json(mentorship: Mentorship) -> dict[str, Any]:
    """A mentorship."""
    return {
        "id": mentorship.id,
        "mentor_id": mentorship.mentor_id,
        "mentee_id": mentorship.mentee_id,
        "status": mentorship.status.value,
        "message": mentorship.message,
        "created_at": mentorship.created_at.isoformat(),
        "started_at": mentorship.started_at.isoformat() if mentorship.started_at else None,
        "answered_at": mentorship.answered_at.isoformat() if mentorship.answered_at else None,
        # "expired" or "not_taking_mentees" when the request closed without a personal answer.
        "closed_reason": mentorship.closed_reason,
        "ended_at": mentorship.ended_at.isoformat() if mentorship.ended_at else None,
        "end_reason": mentorship.end_reason,
    }


def session_json(session: MentoringSession) -> dict[str, Any]:
    """A session with links to its page and its call."""
    return {
        "id": session.id,
        "title": session.title,
        "kind": session.kind.value,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "duration_minutes": session.duration_minutes,
        "host_id": session.host_id,
        "mentorship_id": session.mentorship_id,
        "participant_ids": session.participant_ids,
        "requested_ids": session.requested_ids,
        "url": f"/sessions/{session.id}",
        "room_url": f"/sessions/{session.id}/room",
        "status": "cancelled" if session.is_cancelled else "scheduled",
        "cancel_reason": session.cancel_reason,
    }


def office_hours_json(
    series: OfficeHours,
    sessions: Sequence[MentoringSession],
    *,
    registered: int,
    host_name: str | None = None,
    is_registered: bool | None = None,
) -> dict[str, Any]:
    """A series with its occurrences."""
    data: dict[str, Any] = {
        "id": series.id,
        "host_id": series.host_id,
        "title": series.title,
        "topic": series.topic,
        "duration_minutes": series.duration_minutes,
        "capacity": series.capacity,
        "registered": registered,
        "places_left": max(0, series.capacity - registered),
        "admission": series.admission.value,
        "timezone": series.timezone,
        "weekly_until": series.weekly_until.isoformat() if series.weekly_until else None,
        "session_ids": [s.id for s in sessions],
        "sessions": [
            {
                "id": s.id,
                "starts_at": s.starts_at.isoformat(),
                "room_url": session_json(s)["room_url"],
            }
            for s in sessions
        ],
    }
    if host_name is not None:
        data["host_name"] = host_name
    if is_registered is not None:
        data["is_registered"] = is_registered
    return data


async def series_json(
    db: AsyncSession, series: OfficeHours, user_id: int, now: datetime
) -> dict[str, Any]:
    """A series as the given user sees it, with the occurrences not yet ended."""
    return (await series_list_json(db, [series], user_id, now))[0]


async def series_list_json(
    db: AsyncSession, series: Sequence[OfficeHours], user_id: int, now: datetime
) -> list[dict[str, Any]]:
    """Each series as `series_json` shows it, with a fixed number of queries for the whole list."""
    ids = [s.id for s in series]
    occurrences = await occurrences_by_series(db, ids)
    counts = await registration_counts(db, ids)
    hosts = await users_by_ids(db, [s.host_id for s in series])
    mine = await registered_ids(db, user_id)
    return [
        office_hours_json(
            each,
            [s for s in occurrences.get(each.id, []) if s.ends_at > now],
            registered=counts.get(each.id, 0),
            host_name=host.name if (host := hosts.get(each.host_id)) else None,
            is_registered=each.id in mine,
        )
        for each in series
    ]
