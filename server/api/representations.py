"""How domain objects look in JSON: one function per kind, so every route agrees."""

from __future__ import annotations

from typing import Any

from models.mentorships import Mentorship
from models.sessions import MentoringSession
from models.users import Profile, User


def public_profile(profile: Profile | None) -> dict[str, Any]:
    """Profile fields anyone logged in may see: never coordinates."""
    if profile is None:
        return {}
    return {
        "headline": profile.headline,
        "bio": profile.bio,
        "skills": profile.skills,
        "goals": profile.goals,
        "industry": profile.industry,
        "languages": profile.languages,
        "timezone": profile.timezone,
        "city": profile.city,
        "country": profile.country,
        "open_to_meetups": profile.open_to_meetups,
        "mentor_capacity": profile.mentor_capacity,
    }


def public_user(user: User, profile: Profile | None = None) -> dict[str, Any]:
    """A user as others see them: never the e-mail address."""
    data: dict[str, Any] = {"id": user.id, "name": user.name, "roles": user.roles}
    if profile is not None:
        data["profile"] = public_profile(profile)
    return data


def own_user(user: User, profile: Profile | None = None) -> dict[str, Any]:
    """A user as they see themselves."""
    data = public_user(user, profile)
    data["email"] = user.email
    data["created_at"] = user.created_at.isoformat()
    if profile is not None:
        data["profile"]["max_travel_km"] = profile.max_travel_km
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
        "url": f"/sessions/{session.id}",
        "room_url": f"/sessions/{session.id}/room",
    }
