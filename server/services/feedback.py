"""Check-ins after sessions, and a mentor's public record. A rating is never shown on its own:
only an average, only once enough exist, and only over whole batches of them, so nobody can
tell who gave which rating by watching the average move."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.goals import RATING_THRESHOLD, SessionFeedback, feedback_of, ratings_about
from models.mentorships import Mentorship, MentorshipStatus
from models.no_shows import NoShow
from models.sessions import MentoringSession, SessionKind, SessionParticipant
from models.users import User
from server.errors import ApiError
from server.goal_schemas import FeedbackIn


def _about(session: MentoringSession, author_id: int) -> int | None:
    """Whom a check-in rates: the other side of a one-on-one; an office-hours host."""
    if session.kind == SessionKind.ONE_ON_ONE:
        others = [uid for uid in session.participant_ids if uid != author_id]
        return others[0] if len(others) == 1 else None
    return session.host_id if session.host_id != author_id else None


async def give_feedback(
    db: AsyncSession, user: User, session: MentoringSession, data: FeedbackIn
) -> SessionFeedback:
    """Store the user's one check-in for a session that is over. It cannot be changed later:
    a changed rating would move the average, and so tell who gave it."""
    if session.is_cancelled:
        raise ApiError(409, "session_cancelled", "This session was cancelled.")
    if utcnow() < session.ends_at:
        raise ApiError(409, "session_not_over", "Check in once the session has ended.")
    if await feedback_of(db, session.id, user.id) is not None:
        raise ApiError(409, "already_checked_in", "You already checked in for this session.")
    feedback = SessionFeedback(
        session_id=session.id,
        user_id=user.id,
        about_id=_about(session, user.id),
        rating=data.rating,
        went_well=data.went_well,
        private_note=data.private_note,
    )
    db.add(feedback)
    try:
        await db.flush()
    except IntegrityError:  # the same check-in sent twice at once
        raise ApiError(409, "already_checked_in", "You already checked in.") from None
    return feedback


def rating_aggregate(ratings: list[int]) -> dict[str, float | int] | None:
    """The average over whole batches of RATING_THRESHOLD ratings (oldest first); None below
    the threshold. One new rating never moves the average on its own."""
    counted = ratings[: len(ratings) - len(ratings) % RATING_THRESHOLD]
    if not counted:
        return None
    return {"average": round(sum(counted) / len(counted), 1), "count": len(counted)}


@dataclass(frozen=True)
class MentorRecord:
    """A mentor's public line."""

    sessions_held: int
    mentees_helped: int
    rating: dict[str, float | int] | None
    typical_response_hours: float | None

    def json(self) -> dict[str, object]:
        """As the API sends it."""
        return {
            "sessions_held": self.sessions_held,
            "mentees_helped": self.mentees_helped,
            "rating": self.rating,
            "typical_response_hours": self.typical_response_hours,
        }


async def mentor_record(db: AsyncSession, mentor_id: int) -> MentorRecord:
    """Sessions held, mentees helped, the rating when enough exist, and the median time to
    answer a mentorship request."""
    now = utcnow()
    hosted = await db.execute(
        select(MentoringSession.id, MentoringSession.starts_at, MentoringSession.duration_minutes)
        .join(SessionParticipant, SessionParticipant.session_id == MentoringSession.id)
        .where(
            SessionParticipant.user_id == mentor_id,
            MentoringSession.host_id == mentor_id,
            MentoringSession.cancelled_at.is_(None),
            MentoringSession.starts_at <= now,
        )
    )
    over = {sid for sid, start, minutes in hosted if start + timedelta(minutes=minutes) <= now}
    missed = set(
        (
            await db.execute(
                select(NoShow.session_id).where(
                    NoShow.session_id.in_(over), NoShow.is_corrected.is_(False)
                )
            )
        ).scalars()
    )
    mentees = await db.execute(
        select(func.count(func.distinct(Mentorship.mentee_id))).where(
            Mentorship.mentor_id == mentor_id,
            Mentorship.status.in_([MentorshipStatus.ACTIVE, MentorshipStatus.ENDED]),
        )
    )
    answered = await db.execute(
        select(Mentorship.created_at, Mentorship.started_at).where(
            Mentorship.mentor_id == mentor_id, Mentorship.started_at.is_not(None)
        )
    )
    waits = [(started - created).total_seconds() / 3600 for created, started in answered if started]
    return MentorRecord(
        sessions_held=len(over - missed),
        mentees_helped=int(mentees.scalar_one()),
        rating=rating_aggregate(await ratings_about(db, mentor_id)),
        typical_response_hours=round(statistics.median(waits), 1) if waits else None,
    )
