"""Booking a mentor's free slot, and rescheduling or cancelling it, without double booking."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import AgendaItem, next_position
from models.availability import Availability, availability_of
from models.bookings import (
    booked_starts,
    bookings_since,
    busy_intervals,
    hold_time,
    is_hold_conflict,
    release_time,
)
from models.mentorships import Mentorship, MentorshipStatus, mentorships_of
from models.sessions import MentoringSession, SessionKind, SessionParticipant, get_session_for
from models.slots import Interval, free_slots, is_offered
from models.users import User, get_user
from server.booking_schemas import AvailabilityIn, BookingIn
from server.errors import ApiError, not_found
from server.services.agenda import carry_over

NEXT_SLOTS = 5
MAX_RANGE = timedelta(days=92)
# Each booking mails the mentor: a mentee may book a mentor this often a day, cancelled ones too.
DAILY_BOOKINGS = 10


class SlotTaken(Exception):
    """Someone else holds the time now: the caller answers 409 with the next free slots."""


async def booking_consent(db: AsyncSession, mentee: User, mentor_id: int) -> Mentorship:
    """Who may book whom: a mentee in an active mentorship with that mentor.

    Stricter than `server.services.contact.can_reach`: a booking needs the mentorship itself
    (its agenda carries over and its weekly cap applies), not just any shared session.
    """
    for mentorship in await mentorships_of(db, mentee.id):
        if (
            mentorship.mentor_id == mentor_id
            and mentorship.mentee_id == mentee.id
            and mentorship.status == MentorshipStatus.ACTIVE
        ):
            return mentorship
    raise ApiError(
        403,
        "no_active_mentorship",
        "You can book only a mentor you have an active mentorship with.",
    )


async def save_availability(db: AsyncSession, user: User, data: AvailabilityIn) -> Availability:
    """Store the mentor's availability, replacing what was there."""
    if not user.has_role("mentor"):
        raise ApiError(403, "not_a_mentor", "Only mentors set bookable availability.")
    row = await availability_of(db, user.id)
    if row is None:
        row = Availability(user_id=user.id)
        db.add(row)
    row.timezone = data.timezone
    row.weekly = [w.model_dump() for w in data.weekly]
    row.overrides = [
        {"date": o.date.isoformat(), "windows": [w.model_dump() for w in o.windows]}
        for o in data.overrides
    ]
    row.session_minutes = data.session_minutes
    row.buffer_minutes = data.buffer_minutes
    row.min_notice_hours = data.min_notice_hours
    row.horizon_days = data.horizon_days
    row.weekly_booking_cap = data.weekly_booking_cap
    row.cancellation_notice_hours = data.cancellation_notice_hours
    await db.flush()
    return row


async def _bookable(db: AsyncSession, mentor_id: int) -> Availability:
    availability = await availability_of(db, mentor_id)
    if availability is None:
        raise ApiError(404, "not_bookable", "This mentor has not opened any time for booking.")
    return availability


async def _booked_weeks(
    db: AsyncSession,
    availability: Availability,
    mentee_id: int,
    start: datetime,
    end: datetime,
    except_session: int | None = None,
) -> dict[tuple[int, int], int]:
    rules = availability.rules()
    if rules.weekly_booking_cap <= 0:
        return {}
    week = timedelta(days=8)
    starts = await booked_starts(
        db,
        availability.user_id,
        mentee_id,
        start - week,
        end + week,
        except_session=except_session,
    )
    return dict(Counter(rules.week_of(s) for s in starts))


async def free_slots_for(
    db: AsyncSession,
    mentor_id: int,
    viewer: User,
    *,
    start: datetime,
    end: datetime,
    duration_minutes: int | None,
    now: datetime,
    except_session: int | None = None,
) -> list[Interval]:
    """The mentor's free slots between start and end that also suit the viewer's calendar."""
    if end <= start or end - start > MAX_RANGE:
        raise ApiError(
            422,
            "validation_error",
            "Ask for a range that ends after it starts and spans at most 92 days.",
            fields={"end": "Must be after start, at most 92 days later."},
        )
    availability = await _bookable(db, mentor_id)
    rules = availability.rules()
    minutes = duration_minutes or rules.session_minutes[0]
    if minutes not in rules.session_minutes:
        raise ApiError(
            422,
            "validation_error",
            f"This mentor offers sessions of {list(rules.session_minutes)} minutes.",
            fields={"duration": "Not a length this mentor offers."},
        )
    margin = timedelta(minutes=rules.buffer_minutes)
    people = {mentor_id, viewer.id}
    busy = await busy_intervals(
        db, people, start - margin, end + margin, except_session=except_session
    )
    return free_slots(
        rules,
        busy,
        start=start,
        end=end,
        duration=timedelta(minutes=minutes),
        now=now,
        booked_weeks=await _booked_weeks(db, availability, viewer.id, start, end, except_session),
    )


async def next_free_slots(
    db: AsyncSession, mentor_id: int, viewer: User, after: datetime, minutes: int, now: datetime
) -> list[Interval]:
    """A few free slots from `after` on: offered with a 409 instead of the taken one."""
    slots = await free_slots_for(
        db,
        mentor_id,
        viewer,
        start=after,
        end=after + MAX_RANGE,
        duration_minutes=minutes,
        now=now,
    )
    return slots[:NEXT_SLOTS]


async def _check_slot(
    db: AsyncSession,
    availability: Availability,
    mentee: User,
    slot: Interval,
    now: datetime,
    except_session: int | None = None,
) -> None:
    rules = availability.rules()
    minutes = int((slot[1] - slot[0]).total_seconds() // 60)
    if minutes not in rules.session_minutes or not is_offered(rules, [], slot, now=now):
        raise ApiError(
            422,
            "slot_not_offered",
            "That time is not one of this mentor's bookable slots.",
            fields={"starts_at": "Pick one of the slots the mentor offers."},
        )
    busy = await busy_intervals(
        db,
        {availability.user_id, mentee.id},
        slot[0] - timedelta(minutes=rules.buffer_minutes),
        slot[1] + timedelta(minutes=rules.buffer_minutes),
        except_session=except_session,
    )
    if not is_offered(rules, busy, slot, now=now):
        raise SlotTaken()
    weeks = await _booked_weeks(db, availability, mentee.id, slot[0], slot[1], except_session)
    if not is_offered(rules, busy, slot, now=now, booked_weeks=weeks):
        raise ApiError(
            409,
            "weekly_cap_reached",
            f"This mentor takes at most {rules.weekly_booking_cap} bookings per mentee a week.",
        )


async def _hold(db: AsyncSession, session: MentoringSession) -> None:
    try:
        await hold_time(db, session)
    except IntegrityError as error:
        if is_hold_conflict(error):
            raise SlotTaken() from None
        raise


async def _one_booking_at_a_time(db: AsyncSession, mentorship: Mentorship) -> None:
    """Serialize a pair's bookings so the weekly cap and daily limit count right under
    concurrent requests: a no-op write locks the mentorship row (PostgreSQL) or takes the
    write lock (SQLite) before anything is counted. Overlaps are the holds' job."""
    await db.execute(
        update(Mentorship).where(Mentorship.id == mentorship.id).values(message=Mentorship.message)
    )


async def book(db: AsyncSession, mentee: User, data: BookingIn, now: datetime) -> MentoringSession:
    """Book a free slot: a one-on-one session with the mentor, the agenda carried over."""
    mentorship = await booking_consent(db, mentee, data.mentor_id)
    await _one_booking_at_a_time(db, mentorship)
    if (
        await bookings_since(db, data.mentor_id, mentee.id, now - timedelta(days=1))
        >= DAILY_BOOKINGS
    ):
        raise ApiError(
            429,
            "too_many_bookings",
            f"At most {DAILY_BOOKINGS} bookings with one mentor a day; try again tomorrow.",
            headers={"Retry-After": "3600"},
        )
    availability = await _bookable(db, data.mentor_id)
    slot = (data.starts_at, data.starts_at + timedelta(minutes=data.duration_minutes))
    await _check_slot(db, availability, mentee, slot, now)
    mentor = await get_user(db, data.mentor_id)
    assert mentor is not None  # an active mentorship has both people
    session = MentoringSession(
        kind=SessionKind.ONE_ON_ONE,
        title=f"{mentor.name} and {mentee.name}",
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        host_id=mentor.id,
        mentorship_id=mentorship.id,
        participants=[SessionParticipant(user_id=uid) for uid in sorted({mentor.id, mentee.id})],
    )
    db.add(session)
    await db.flush()
    await _hold(db, session)
    await carry_over(db, session)
    if data.agenda:
        db.add(
            AgendaItem(
                session_id=session.id,
                title=data.agenda,
                owner_id=mentee.id,
                position=await next_position(db, session.id),
            )
        )
        await db.flush()
    return session


async def session_for(db: AsyncSession, user: User, session_id: int) -> MentoringSession:
    """A session the user takes part in; 404 for anyone else."""
    session = await get_session_for(db, session_id, user.id)
    if session is None:
        raise not_found("session")
    return session


async def _changeable(
    db: AsyncSession, user: User, session_id: int, now: datetime
) -> tuple[MentoringSession, Availability | None]:
    session = await session_for(db, user, session_id)
    if session.kind != SessionKind.ONE_ON_ONE:
        raise ApiError(409, "not_bookable", "Office hours are changed on their own page.")
    if session.is_cancelled:
        raise ApiError(409, "session_cancelled", "This session is already cancelled.")
    if session.starts_at <= now:
        raise ApiError(409, "session_started", "This session has already started.")
    availability = await availability_of(db, session.host_id)
    notice = timedelta(hours=availability.cancellation_notice_hours if availability else 0)
    if user.id != session.host_id and session.starts_at - now < notice:
        hours = int(notice.total_seconds() // 3600)
        raise ApiError(
            409,
            "too_late",
            f"Changes are possible until {hours} hours before the start; "
            "write to your mentor instead.",
        )
    return session, availability


async def reschedule(
    db: AsyncSession, user: User, session_id: int, starts_at: datetime, now: datetime
) -> MentoringSession:
    """Move a booked session to another free slot of the mentor; SEQUENCE goes up."""
    session, availability = await _changeable(db, user, session_id, now)
    slot = (starts_at, starts_at + timedelta(minutes=session.duration_minutes))
    if availability is not None:
        mentee_id = next((u for u in session.participant_ids if u != session.host_id), user.id)
        mentee = await get_user(db, mentee_id)
        assert mentee is not None
        await _check_slot(db, availability, mentee, slot, now, except_session=session.id)
    session.starts_at = starts_at
    session.sequence += 1
    await db.flush()
    await _hold(db, session)
    return session


async def cancel(
    db: AsyncSession, user: User, session_id: int, reason: str, now: datetime
) -> MentoringSession:
    """Call a session off, freeing its time; it stays listed in calendars as cancelled."""
    session, _ = await _changeable(db, user, session_id, now)
    session.cancelled_at = now
    session.cancel_reason = reason
    session.sequence += 1
    await release_time(db, session.id)
    await db.flush()
    return session
