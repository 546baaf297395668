"""Consent before contact: the one rule for who may put something on someone else's plate.

Every write that names another person (scheduling a session, inviting to a meetup, naming the
owner of an agenda or action item) asks `can_reach` / `unreachable` first. People the actor may
not reach yet are *asked*: the write becomes a request they accept or decline, or it is refused.
Later features (booking, notifications, matching) must use the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.mentorships import Mentorship, MentorshipStatus
from models.office_hours import OfficeHours, OfficeHoursRegistration
from models.sessions import Invitation, MentoringSession, SessionParticipant
from server.errors import ApiError


async def contacts_of(db: AsyncSession, actor_id: int) -> set[int]:
    """Everyone `actor_id` may reach directly.

    That is: both sides of an active mentorship; people who accepted the same session (not an
    office-hours occurrence, whose attendees are strangers to each other); and, for an
    office-hours host, the people registered for their series (not the other way round).
    """
    partners = await db.execute(
        select(Mentorship.mentor_id, Mentorship.mentee_id).where(
            Mentorship.status == MentorshipStatus.ACTIVE,
            or_(Mentorship.mentor_id == actor_id, Mentorship.mentee_id == actor_id),
        )
    )
    found = {uid for pair in partners for uid in pair}
    mine, theirs = aliased(SessionParticipant), aliased(SessionParticipant)
    shared = await db.execute(
        select(theirs.user_id)
        .join(mine, and_(mine.session_id == theirs.session_id, mine.user_id == actor_id))
        .join(MentoringSession, MentoringSession.id == theirs.session_id)
        .where(
            MentoringSession.office_hours_id.is_(None),
            mine.response == Invitation.ACCEPTED,
            theirs.response == Invitation.ACCEPTED,
        )
    )
    found.update(shared.scalars())
    attendees = await db.execute(
        select(OfficeHoursRegistration.user_id)
        .join(OfficeHours, OfficeHours.id == OfficeHoursRegistration.office_hours_id)
        .where(OfficeHours.host_id == actor_id)
    )
    found.update(attendees.scalars())
    found.discard(actor_id)
    return found


async def unreachable(db: AsyncSession, actor_id: int, target_ids: Iterable[int]) -> set[int]:
    """Those of `target_ids` that `actor_id` must ask first (never the actor themself)."""
    targets = set(target_ids) - {actor_id}
    if not targets:
        return set()
    return targets - await contacts_of(db, actor_id)


async def can_reach(db: AsyncSession, actor_id: int, target_id: int) -> bool:
    """Whether `actor_id` may put something on `target_id`'s plate without asking first."""
    return not await unreachable(db, actor_id, [target_id])


async def require_reach(db: AsyncSession, actor_id: int, target_id: int, field: str) -> None:
    """Refuse a write that would assign something to someone the actor may not reach."""
    if not await can_reach(db, actor_id, target_id):
        raise ApiError(
            403,
            "not_in_contact",
            "You can only assign this to yourself or to someone you already work with.",
            fields={field: "Not someone you work with."},
        )
