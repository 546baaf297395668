"""Agendas and action items of a session; open items carry over to the next session."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import (
    AGENDA_TEMPLATES,
    ActionItem,
    AgendaItem,
    agenda_of,
    move_item,
    next_position,
)
from models.base import lock_row, utcnow
from models.sessions import MentoringSession, latest_session_of_mentorship
from server.errors import ApiError, not_found
from server.schemas import (
    ActionItemIn,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemPatch,
)
from server.services.contact import require_reach
from server.services.goals import check_goal_link

log = logging.getLogger(__name__)

# Sends a message to everyone connected to a session's live channel (the notes socket), where
# the session's page and its call both listen; the signaling layer provides it.
AgendaAnnouncer = Callable[[int, dict[str, Any]], None]


class AgendaFeed:
    """Live agenda updates. Each is read after its change is committed, one read at a time per
    session, so the last message everyone gets always shows every change made so far."""

    def __init__(self, send: AgendaAnnouncer) -> None:
        self._send = send
        self._turns: dict[int, tuple[asyncio.Lock, int]] = {}  # session id -> (lock, users)

    async def publish(
        self, session_id: int, snapshot: Callable[[], Awaitable[dict[str, Any]]]
    ) -> None:
        """Send `snapshot()` to the session's live channel; a failure only costs liveness (the
        change is stored, and pages fetch the agenda again when they reconnect)."""
        lock, users = self._turns.get(session_id, (asyncio.Lock(), 0))
        self._turns[session_id] = (lock, users + 1)
        try:
            async with lock:
                self._send(session_id, await snapshot())
        except Exception:
            log.exception("session %s: agenda change stored but not sent live", session_id)
        finally:
            lock, users = self._turns[session_id]
            if users == 1:
                del self._turns[session_id]
            else:
                self._turns[session_id] = (lock, users - 1)


async def _lock_agenda(db: AsyncSession, session: MentoringSession) -> None:
    """Agenda writes of one session run one at a time, so positions stay 0..n-1."""
    await lock_row(db, MentoringSession, session.id)


async def _check_owner(
    db: AsyncSession, session: MentoringSession, actor_id: int, owner_id: int | None
) -> None:
    """The owner takes part in the session, and the actor may reach them (consent before
    contact: an office-hours attendee cannot hand work to another attendee)."""
    if owner_id is None:
        return
    if owner_id not in session.participant_ids:
        raise ApiError(
            422,
            "validation_error",
            "The owner must take part in the session.",
            fields={"owner_id": "Not a participant of this session."},
        )
    await require_reach(db, actor_id, owner_id, "owner_id")


async def add_item(
    db: AsyncSession, session: MentoringSession, actor_id: int, data: AgendaItemIn
) -> AgendaItem:
    """Append an item to the session's agenda."""
    await _check_owner(db, session, actor_id, data.owner_id)
    await _lock_agenda(db, session)
    await check_goal_link(db, session, data.goal_id)
    item = AgendaItem(
        session_id=session.id, position=await next_position(db, session.id), **data.model_dump()
    )
    db.add(item)
    await db.flush()
    return item


async def _item(db: AsyncSession, session: MentoringSession, item_id: int) -> AgendaItem:
    item = await db.get(AgendaItem, item_id)
    if item is None or item.session_id != session.id:
        raise not_found("agenda item")
    return item


async def update_item(
    db: AsyncSession, session: MentoringSession, actor_id: int, item_id: int, data: AgendaItemPatch
) -> AgendaItem:
    """Change an item's fields, tick it off, or move it."""
    changes = data.model_dump(exclude_unset=True)
    if "position" in changes:
        await _lock_agenda(db, session)
    item = await _item(db, session, item_id)
    if "owner_id" in changes and changes["owner_id"] != item.owner_id:
        await _check_owner(db, session, actor_id, changes["owner_id"])
    if "goal_id" in changes:
        await check_goal_link(db, session, changes["goal_id"])
    position = changes.pop("position", None)
    for key, value in changes.items():
        setattr(item, key, value)
    if position is not None:
        await move_item(db, item, position)
    await db.flush()
    return item


async def delete_item(db: AsyncSession, session: MentoringSession, item_id: int) -> None:
    """Remove an item and close the gap it leaves."""
    await _lock_agenda(db, session)
    item = await _item(db, session, item_id)
    await db.delete(item)
    await db.flush()
    for index, each in enumerate(await agenda_of(db, session.id)):
        each.position = index


async def apply_template(
    db: AsyncSession, session: MentoringSession, name: str
) -> list[AgendaItem]:
    """Append a ready-made agenda's items."""
    await _lock_agenda(db, session)
    position = await next_position(db, session.id)
    _, rows = AGENDA_TEMPLATES[name]
    items = [
        AgendaItem(session_id=session.id, title=title, minutes=minutes, position=position + i)
        for i, (title, minutes) in enumerate(rows)
    ]
    db.add_all(items)
    await db.flush()
    return items


async def carry_over(db: AsyncSession, session: MentoringSession) -> int:
    """Start a mentorship's new session with the open items of its previous one."""
    if session.mentorship_id is None:
        return 0
    previous = await latest_session_of_mentorship(
        db, session.mentorship_id, before=session.starts_at
    )
    if previous is None:
        return 0
    open_items = [item for item in await agenda_of(db, previous.id) if not item.done]
    db.add_all(
        AgendaItem(
            session_id=session.id,
            title=item.title,
            details=item.details,
            owner_id=item.owner_id,
            minutes=item.minutes,
            position=index,
            carried_over=True,
        )
        for index, item in enumerate(open_items)
    )
    await db.flush()
    return len(open_items)


async def add_action_item(
    db: AsyncSession, session: MentoringSession, actor_id: int, data: ActionItemIn
) -> ActionItem:
    """Record a promise made in the session."""
    await _check_owner(db, session, actor_id, data.owner_id)
    if data.agenda_item_id is not None:
        await _item(db, session, data.agenda_item_id)
    item = ActionItem(session_id=session.id, **data.model_dump())
    db.add(item)
    await db.flush()
    return item


async def update_action_item(
    db: AsyncSession,
    item: ActionItem,
    data: ActionItemPatch,
    session: MentoringSession,
    actor_id: int,
) -> ActionItem:
    """Tick off or edit an action item; a new owner must take part in its session."""
    changes = data.model_dump(exclude_unset=True)
    if "owner_id" in changes and changes["owner_id"] != item.owner_id:
        await _check_owner(db, session, actor_id, changes["owner_id"])
    for key, value in changes.items():
        if key == "done" and value != item.done:
            item.done_at = utcnow() if value else None  # for the progress timeline
        setattr(item, key, value)
    await db.flush()
    return item
