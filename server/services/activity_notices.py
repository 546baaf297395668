"""What people are told about mentorships, meetups and action items.

Each function stores its notices in the caller's transaction and returns them for
`Notifier.deliver` after the commit, like the booking notices.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import ActionItem
from models.meetups import Meetup, MeetupStatus
from models.mentorships import Mentorship, MentorshipStatus
from models.notifications import NotificationKind
from models.users import User, get_user
from server.services.notifications import Notice, Outgoing, record


async def mentorship_requested(
    db: AsyncSession, mentorship: Mentorship, mentee: User
) -> list[Outgoing]:
    """The mentor hears about a new request."""
    return await record(
        db,
        [
            Notice(
                user_id=mentorship.mentor_id,
                kind=NotificationKind.MENTORSHIP_REQUESTED,
                title=f"{mentee.name} asks you to mentor them",
                body=mentorship.message[:500],
                url="/dashboard",
            )
        ],
    )


async def mentorship_answered(
    db: AsyncSession, mentorship: Mentorship, mentor: User
) -> list[Outgoing]:
    """The mentee hears the mentor's answer."""
    accepted = mentorship.status == MentorshipStatus.ACTIVE
    return await record(
        db,
        [
            Notice(
                user_id=mentorship.mentee_id,
                kind=NotificationKind.MENTORSHIP_ANSWERED,
                title=f"{mentor.name} {'accepted' if accepted else 'declined'} your request",
                body="You can now book sessions." if accepted else "",
                url=f"/mentors/{mentor.id}/book" if accepted else "/mentors",
            )
        ],
    )


async def meetup_proposed(db: AsyncSession, meetup: Meetup, proposer: User) -> list[Outgoing]:
    """Everyone else invited hears about the proposal."""
    return await record(
        db,
        [
            Notice(
                user_id=p.user_id,
                kind=NotificationKind.MEETUP_PROPOSED,
                title=f"{proposer.name} proposes meeting in {meetup.place_name}",
                url=f"/meetups/{meetup.id}",
            )
            for p in meetup.participants
            if p.user_id != proposer.id
        ],
    )


async def meetup_answered(db: AsyncSession, meetup: Meetup, answerer: User) -> list[Outgoing]:
    """Everyone else invited hears the answer."""
    answer = meetup.response_of(answerer.id)
    verb = answer.response.value if answer is not None else "answered"
    settled = " It is on." if meetup.status == MeetupStatus.ACCEPTED else ""
    return await record(
        db,
        [
            Notice(
                user_id=p.user_id,
                kind=NotificationKind.MEETUP_ANSWERED,
                title=f"{answerer.name} {verb} the meetup in {meetup.place_name}.{settled}",
                url=f"/meetups/{meetup.id}",
            )
            for p in meetup.participants
            if p.user_id != answerer.id
        ],
    )


async def action_item_assigned(db: AsyncSession, item: ActionItem, by: User) -> list[Outgoing]:
    """The owner hears about an action item someone else gave them."""
    if item.owner_id == by.id or await get_user(db, item.owner_id) is None:
        return []
    due = f" Due {item.due_on.isoformat()}." if item.due_on else ""
    return await record(
        db,
        [
            Notice(
                user_id=item.owner_id,
                kind=NotificationKind.ACTION_ITEM_ASSIGNED,
                title=f"{by.name} gave you an action item: {item.title}"[:200],
                body=due.strip(),
                url=f"/sessions/{item.session_id}",
            )
        ],
    )


async def mentorship_ended(
    db: AsyncSession, mentorship: Mentorship, ended_by: User
) -> list[Outgoing]:
    """Whoever did not end the mentorship is told, with the reason."""
    told = [uid for uid in (mentorship.mentor_id, mentorship.mentee_id) if uid != ended_by.id]
    who = ended_by.name if mentorship.involves(ended_by.id) else "A programme admin"
    return await record(
        db,
        [
            Notice(
                user_id=uid,
                kind=NotificationKind.MENTORSHIP_ENDED,
                title=f"{who} ended your mentorship",
                body=mentorship.end_reason[:500],
                url=f"/mentorships/{mentorship.id}/progress",
            )
            for uid in told
        ],
    )
