"""Scheduling sessions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.mentorships import Mentorship, MentorshipStatus
from models.sessions import (
    Invitation,
    MentoringSession,
    SessionKind,
    SessionParticipant,
    get_session_request,
)
from models.users import User, users_by_ids
from server.errors import ApiError, not_found, refuse_if_over
from server.schemas import SessionIn
from server.services.agenda import carry_over
from server.services.contact import unreachable


async def create_session(db: AsyncSession, host: User, data: SessionIn) -> MentoringSession:
    """Schedule a session hosted by `host`; a mentorship's session has its pair as participants."""
    if data.kind == "office_hours":  # an occurrence needs its series: capacity, lobby, host
        raise ApiError(
            422,
            "validation_error",
            "Office hours are scheduled as a series: POST /api/v1/office-hours.",
            fields={"kind": "Only one_on_one sessions are scheduled here."},
        )
    refuse_if_over(data.starts_at, data.duration_minutes, utcnow())
    participant_ids = set(data.participant_ids) | {host.id}
    if data.mentorship_id is not None:
        mentorship = await db.get(Mentorship, data.mentorship_id)
        if mentorship is None or not mentorship.involves(host.id):
            raise ApiError(
                422,
                "validation_error",
                "No such mentorship of yours.",
                fields={"mentorship_id": "Not one of your mentorships."},
            )
        if mentorship.status != MentorshipStatus.ACTIVE:
            raise ApiError(409, "mentorship_not_active", "That mentorship is not active.")
        participant_ids |= {mentorship.mentor_id, mentorship.mentee_id}
    found = await users_by_ids(db, list(participant_ids))
    missing = sorted(participant_ids - found.keys())
    if missing:
        raise ApiError(
            422,
            "validation_error",
            f"Unknown participants: {missing}.",
            fields={"participant_ids": "Some of these users do not exist."},
        )
    if data.kind == "one_on_one" and len(participant_ids) != 2:
        raise ApiError(
            422,
            "validation_error",
            "A one-on-one session has exactly two people.",
            fields={"participant_ids": "Name exactly one other participant."},
        )
    # Consent before contact: whoever the host may not reach yet is asked, not booked.
    asked = await unreachable(db, host.id, participant_ids)
    session = MentoringSession(
        kind=SessionKind(data.kind),
        title=data.title,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        host_id=host.id,
        mentorship_id=data.mentorship_id,
        participants=[
            SessionParticipant(
                user_id=uid,
                response=Invitation.PENDING if uid in asked else Invitation.ACCEPTED,
            )
            for uid in sorted(participant_ids)
        ],
    )
    db.add(session)
    await db.flush()
    await carry_over(db, session)
    return session


async def answer_request(
    db: AsyncSession, user: User, session_id: int, *, accept: bool
) -> MentoringSession:
    """Accept or decline being asked to a session; only then does it become one of yours."""
    found = await get_session_request(db, session_id, user.id)
    if found is None:
        raise not_found("session request")
    session, mine = found
    mine.response = Invitation.ACCEPTED if accept else Invitation.DECLINED
    await db.flush()
    return session
