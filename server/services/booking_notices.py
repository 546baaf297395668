"""What each side of a booking is told when it is made, moved or called off."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.notifications import NotificationKind
from models.sessions import MentoringSession
from models.users import Profile, User, users_by_ids
from server.calendar import Site, session_ics
from server.services.mail import Invitation
from server.services.notifications import Notice, Outgoing, record


def local_time(value: datetime, zone: str) -> str:
    """A time as its reader sees it, with the zone named."""
    try:
        local = value.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local = value
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or "UTC") + f" ({zone})"


async def zones_of(db: AsyncSession, user_ids: list[int]) -> dict[int, str]:
    """Each person's time zone from their profile (UTC when unset)."""
    result = await db.execute(
        select(Profile.user_id, Profile.timezone).where(Profile.user_id.in_(user_ids))
    )
    zones = {uid: zone for uid, zone in result}
    return {uid: zones.get(uid, "UTC") for uid in user_ids}


_VERBS = {
    NotificationKind.SESSION_BOOKED: "booked",
    NotificationKind.SESSION_RESCHEDULED: "moved",
    NotificationKind.SESSION_CANCELLED: "cancelled",
}


async def session_notices(
    db: AsyncSession,
    session: MentoringSession,
    kind: NotificationKind,
    site: Site,
    *,
    actor: User,
    reason: str = "",
) -> list[Notice]:
    """One notice per participant, each with the time in their own zone and the invitation."""
    people = await users_by_ids(db, session.participant_ids)
    zones = await zones_of(db, session.participant_ids)
    method = "CANCEL" if kind == NotificationKind.SESSION_CANCELLED else "REQUEST"
    invitation = Invitation(method, session_ics(session, people, site, method=method))
    notices = []
    for user_id in session.participant_ids:
        who = "You" if user_id == actor.id else actor.name
        when = local_time(session.starts_at, zones[user_id])
        body = f"{session.duration_minutes} minutes, {when}."
        if reason:
            body += f" Reason: {reason}"
        notices.append(
            Notice(
                user_id=user_id,
                kind=kind,
                title=f"{who} {_VERBS[kind]} a session: {session.title}",
                body=body,
                url=f"/sessions/{session.id}",
                invitation=invitation,
            )
        )
    return notices


async def record_session_change(
    db: AsyncSession,
    site: Site,
    session: MentoringSession,
    kind: NotificationKind,
    actor: User,
    reason: str = "",
) -> list[Outgoing]:
    """Store both sides' notices with the change; deliver them after the commit."""
    notices = await session_notices(db, session, kind, site, actor=actor, reason=reason)
    return await record(db, notices)
