"""Asking a mentor, and the mentor's answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.base import lock_row, utcnow
from models.mentorships import (
    Mentorship,
    MentorshipStatus,
    active_mentee_count,
    open_mentorship_between,
)
from models.suggestion_holds import release_holds
from models.users import User, get_profile, get_user
from server.errors import ApiError, not_found
from server.schemas import MentorshipIn


async def request_mentorship(db: AsyncSession, mentee: User, data: MentorshipIn) -> Mentorship:
    """A mentee asks a mentor to mentor them."""
    if not mentee.has_role("mentee"):
        raise ApiError(403, "not_a_mentee", "Only mentees can ask for a mentor.")
    mentor = await get_user(db, data.mentor_id)
    if mentor is None or not mentor.has_role("mentor"):
        raise ApiError(
            422,
            "validation_error",
            "That user is not a mentor.",
            fields={"mentor_id": "Not a mentor."},
        )
    if mentor.id == mentee.id:
        raise ApiError(
            422,
            "validation_error",
            "You cannot mentor yourself.",
            fields={"mentor_id": "That is you."},
        )
    if await open_mentorship_between(db, mentor.id, mentee.id):
        raise ApiError(409, "already_requested", "You already have a mentorship with this mentor.")
    capacity = (await get_profile(db, mentor.id)).mentor_capacity
    if capacity == 0:
        raise ApiError(
            409, "not_taking_mentees", f"{mentor.name} is not taking new mentees right now."
        )
    if await active_mentee_count(db, mentor.id) >= capacity:
        raise ApiError(409, "mentor_full", f"{mentor.name} has no open place right now.")
    mentorship = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, message=data.message)
    db.add(mentorship)
    # The places held for this mentee's top suggestions go back to other mentees.
    await release_holds(db, mentee.id)
    await db.flush()
    return mentorship


async def decide(
    db: AsyncSession,
    mentor: User,
    mentorship_id: int,
    *,
    accept: bool,
    expiry: timedelta = timedelta(hours=72),
) -> Mentorship:
    """The mentor accepts or declines a request addressed to them, before it expires."""
    # One mentor's answers run one at a time, so the capacity check below is never stale.
    await lock_row(db, User, mentor.id)
    mentorship = await db.get(Mentorship, mentorship_id)
    if mentorship is None or not mentorship.involves(mentor.id):
        raise not_found("mentorship")
    if mentorship.mentor_id != mentor.id:
        raise ApiError(403, "not_the_mentor", "Only the mentor can answer this request.")
    now = utcnow()
    if mentorship.status == MentorshipStatus.REQUESTED and mentorship.created_at <= now - expiry:
        hours = int(expiry.total_seconds() // 3600)
        raise ApiError(
            409,
            "request_expired",
            f"This request expired after {hours} h without an answer; "
            "the mentee has been shown other mentors.",
        )
    if mentorship.status != MentorshipStatus.REQUESTED:
        raise ApiError(
            409, "already_decided", f"This request is already {mentorship.status.value}."
        )
    if accept:
        capacity = (await get_profile(db, mentor.id)).mentor_capacity
        if await active_mentee_count(db, mentor.id) >= capacity:
            raise ApiError(
                409,
                "at_capacity",
                f"You are at your capacity of {capacity} mentees; raise it in your profile first.",
            )
        mentorship.status = MentorshipStatus.ACTIVE
        mentorship.started_at = now
    else:
        mentorship.status = MentorshipStatus.DECLINED
        mentorship.ended_at = now
    mentorship.answered_at = now
    db.add(mentorship)
    await db.flush()
    return mentorship


async def end_mentorship(
    db: AsyncSession, mentorship: Mentorship, ended_by: User, reason: str
) -> Mentorship:
    """End an active (or still requested) mentorship with a reason; what it holds stays readable."""
    if mentorship.status in (MentorshipStatus.ENDED, MentorshipStatus.DECLINED):
        raise ApiError(
            409, "already_ended", f"This mentorship is already {mentorship.status.value}."
        )
    mentorship.status = MentorshipStatus.ENDED
    mentorship.ended_at = utcnow()
    mentorship.end_reason = reason
    mentorship.ended_by_id = ended_by.id
    db.add(mentorship)
    await db.flush()
    return mentorship
