"""A meetup's session: accepted meetups become sessions; attendance answers and check-ins.

One record for both halves: the agenda, notes, action items, calendar entries, reminders and
no-shows of a meetup are its session's. Remote participants join that session's video room:
the peer-to-peer room holds the venue laptop and at most `MESH_REMOTE_LIMIT` remote people;
larger groups meet through office hours, whose occurrence (on the SFU) is the session.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.check_ins import CheckIn, check_in
from models.meetups import (
    AttendanceMode,
    Meetup,
    MeetupMode,
    MeetupStatus,
    Response,
    get_meetup_for,
    meetup_of_session,
)
from models.mentorships import MentorshipStatus, mentorships_of
from models.sessions import (
    Invitation,
    MentoringSession,
    SessionKind,
    SessionParticipant,
    get_session_for,
)
from models.users import User
from server.errors import ApiError, not_found
from server.services.agenda import carry_over

# The peer-to-peer room's size: the venue laptop and two remote people (three connections).
MESH_REMOTE_LIMIT = 2
# Wrong codes one participant may type before only the host can tick them in.
CHECK_IN_TRIES = 5
CODE_DIGITS = 6


def new_check_in_code() -> str:
    """A short code to read out or show at the venue."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _coming(meetup: Meetup) -> list[int]:
    """Who has said they come, in person or by video."""
    return [
        p.user_id
        for p in meetup.participants
        if p.response == Response.ACCEPTED and p.attendance != AttendanceMode.DECLINED
    ]


async def _mentorship_of_pair(db: AsyncSession, meetup: Meetup) -> int | None:
    """A pair's active mentorship, so the meetup's agenda carries over from their last session."""
    ids = {p.user_id for p in meetup.participants}
    if len(ids) != 2:
        return None
    for mentorship in await mentorships_of(db, meetup.proposer_id):
        if (
            mentorship.status == MentorshipStatus.ACTIVE
            and {
                mentorship.mentor_id,
                mentorship.mentee_id,
            }
            == ids
        ):
            return mentorship.id
    return None


async def sync_session(db: AsyncSession, meetup: Meetup, now: datetime) -> MentoringSession | None:
    """Make the meetup's session match it: created once accepted, its people those who come,
    moved with it, cancelled when the meetup is off."""
    session = None
    if meetup.session_id is not None:
        session = await get_session_for(db, meetup.session_id, meetup.proposer_id)
    if session is None and meetup.status != MeetupStatus.ACCEPTED:
        return None
    if session is None:
        session = MentoringSession(
            kind=SessionKind(meetup.mode.value),
            title=f"Meetup in {meetup.place_name}",
            starts_at=meetup.starts_at,
            duration_minutes=meetup.duration_minutes,
            host_id=meetup.proposer_id,
            mentorship_id=await _mentorship_of_pair(db, meetup),
            participants=[],
        )
        db.add(session)
        await db.flush()
        meetup.session_id = session.id
        meetup.check_in_code = meetup.check_in_code or new_check_in_code()
        await carry_over(db, session)
    if session.office_hours_id is not None:
        if session.starts_at != meetup.starts_at:
            raise ApiError(
                409,
                "office_hours_time",
                "This meetup is an office-hours occurrence: it keeps the occurrence's time.",
            )
        return session  # an occurrence keeps its registrants; the meetup only adds a place
    if (session.starts_at, session.duration_minutes) != (meetup.starts_at, meetup.duration_minutes):
        session.starts_at, session.duration_minutes = meetup.starts_at, meetup.duration_minutes
        session.sequence += 1
    if meetup.status == MeetupStatus.DECLINED and session.cancelled_at is None:
        session.cancelled_at, session.cancel_reason = now, "Everyone else declined the meetup."
        session.sequence += 1
    coming = set(_coming(meetup)) | {meetup.proposer_id}
    have = {p.user_id for p in session.participants}
    session.participants[:] = [p for p in session.participants if p.user_id in coming]
    session.participants.extend(
        SessionParticipant(user_id=uid, response=Invitation.ACCEPTED)
        for uid in sorted(coming - have)
    )
    await db.flush()
    return session


async def rsvp(
    db: AsyncSession, user: User, meetup_id: int, attendance: AttendanceMode, now: datetime
) -> Meetup:
    """Answer how one comes: in person, by video, or not at all."""
    meetup = await get_meetup_for(db, meetup_id, user.id)
    if meetup is None:
        raise not_found("meetup")
    if attendance == AttendanceMode.REMOTE:
        await _refuse_remote(db, meetup, user.id)
    if user.id == meetup.proposer_id and attendance == AttendanceMode.DECLINED:
        raise ApiError(409, "is_host", "You host this meetup: move it or let the others know.")
    mine = meetup.response_of(user.id)
    assert mine is not None
    mine.attendance = attendance
    is_coming = attendance != AttendanceMode.DECLINED
    mine.response = Response.ACCEPTED if is_coming else Response.DECLINED
    mine.is_request = False
    meetup.settle()
    await sync_session(db, meetup, now)
    return meetup


async def _refuse_remote(db: AsyncSession, meetup: Meetup, user_id: int) -> None:
    """Video only where there is a room for it, and only as many as that room holds."""
    if meetup.mode != MeetupMode.HYBRID:
        raise ApiError(
            409, "not_hybrid", "This meetup is in person only: there is no video room for it."
        )
    if meetup.session_id is not None:
        session = await db.get(MentoringSession, meetup.session_id)
        if session is not None and session.office_hours_id is not None:
            return  # the office-hours room (SFU) takes everyone registered
    remote = [
        p.user_id
        for p in meetup.participants
        if p.attendance == AttendanceMode.REMOTE
        and p.response == Response.ACCEPTED
        and p.user_id != user_id
    ]
    if len(remote) >= MESH_REMOTE_LIMIT:
        raise ApiError(
            409,
            "room_full",
            f"This meetup's video room holds the venue and {MESH_REMOTE_LIMIT} remote people. "
            "Larger hybrid groups meet through office hours.",
        )


async def session_meetup(
    db: AsyncSession, user: User, session_id: int
) -> tuple[MentoringSession, Meetup]:
    """A session the user takes part in and the meetup that owns it; 404 otherwise."""
    session = await get_session_for(db, session_id, user.id)
    meetup = await meetup_of_session(db, session_id) if session is not None else None
    if session is None or meetup is None:
        raise not_found("meetup session")
    return session, meetup


async def check_in_by_code(
    db: AsyncSession, user: User, session_id: int, code: str, now: datetime
) -> CheckIn:
    """Check oneself in with the code shown at the venue, while the session's room is open."""
    session, meetup = await session_meetup(db, user, session_id)
    _refuse_outside_window(session, now)
    mine = meetup.response_of(user.id)
    if mine is None:
        raise not_found("meetup session")
    if mine.check_in_failures >= CHECK_IN_TRIES:
        raise ApiError(
            429, "too_many_attempts", "Too many wrong codes: ask the host to tick your name."
        )
    if not meetup.check_in_code or not secrets.compare_digest(code, meetup.check_in_code):
        mine.check_in_failures += 1
        await db.commit()  # the failure counts even though the request fails
        raise ApiError(422, "wrong_code", "That is not this meetup's code.", fields={"code": ""})
    return await check_in(db, session.id, user.id, by_host=False, now=now)


async def tick_in(
    db: AsyncSession, host: User, session_id: int, user_id: int, now: datetime
) -> CheckIn:
    """The host marks someone present at the place."""
    session, meetup = await session_meetup(db, host, session_id)
    if session.host_id != host.id:
        raise ApiError(403, "not_host", "Only the host ticks people in.")
    _refuse_outside_window(session, now)
    if user_id not in session.participant_ids:
        raise ApiError(
            422, "validation_error", "Not a participant.", fields={"user_id": "Not coming."}
        )
    return await check_in(db, session.id, user_id, by_host=True, now=now)


def _refuse_outside_window(session: MentoringSession, now: datetime) -> None:
    if not session.is_joinable(now):
        raise ApiError(
            409, "not_open", "Check-in opens shortly before the start and closes at the end."
        )


async def venue_label(db: AsyncSession, session_id: int, user_id: int) -> str | None:
    """How the venue's shared laptop appears in the call ("Berlin table · 3 people"); None
    unless the user comes in person to this session's meetup, so nobody remote poses as it."""
    meetup = await meetup_of_session(db, session_id)
    if meetup is None:
        return None
    there = [
        p.user_id
        for p in meetup.participants
        if p.response == Response.ACCEPTED and p.attendance == AttendanceMode.IN_PERSON
    ]
    if user_id not in there:
        return None
    people = "1 person" if len(there) == 1 else f"{len(there)} people"
    return f"{meetup.place_name} table · {people}"
