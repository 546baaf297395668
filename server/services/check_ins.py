"""Asking each side of a session that just ended for a check-in, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.goals import SessionFeedback
from models.notifications import Notification, NotificationKind
from models.sessions import MentoringSession, with_participants
from server.services.notifications import Notice, Outgoing, record

# Sessions that ended this long ago or less are still worth asking about.
ASK_WITHIN = timedelta(days=1)


def check_in_url(session_id: int) -> str:
    """Where a check-in is given: the session page's form."""
    return f"/sessions/{session_id}#check-in"


async def ask_for_check_ins(db: AsyncSession, now: datetime) -> list[Outgoing]:
    """Notify each participant of a session that ended lately, unless asked or answered."""
    result = await db.execute(
        select(MentoringSession)
        .where(
            MentoringSession.cancelled_at.is_(None),
            MentoringSession.starts_at <= now,
            MentoringSession.starts_at > now - ASK_WITHIN - timedelta(hours=8),
        )
        .options(with_participants())
    )
    ended = [s for s in result.scalars() if now - ASK_WITHIN < s.ends_at <= now]
    if not ended:
        return []
    urls = [check_in_url(s.id) for s in ended]
    asked = set(
        (
            await db.execute(
                select(Notification.user_id, Notification.url).where(
                    Notification.kind == NotificationKind.CHECK_IN, Notification.url.in_(urls)
                )
            )
        ).all()
    )
    answered = set(
        (
            await db.execute(
                select(SessionFeedback.user_id, SessionFeedback.session_id).where(
                    SessionFeedback.session_id.in_([s.id for s in ended])
                )
            )
        ).all()
    )
    notices = [
        Notice(
            user_id=uid,
            kind=NotificationKind.CHECK_IN,
            title=f"How did {session.title} go?",
            body="Rate it from 1 to 5 and note what went well. Ratings are only ever shown "
            "as an average of several.",
            url=check_in_url(session.id),
        )
        for session in ended
        for uid in session.participant_ids
        if (uid, check_in_url(session.id)) not in asked and (uid, session.id) not in answered
    ]
    return await record(db, notices)
