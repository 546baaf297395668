"""Agendas and action items of a session; open items carry over to the next session."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import (
    AGENDA_TEMPLATES,
    ActionItem,
    AgendaItem,
    agenda_of,
    move_item,
    next_position,
)
from models.base import lock_row
from models.sessions import MentoringSession, latest_session_of_mentorship
from server.errors import ApiError, not_found
from server.schemas import (
    ActionItemIn,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemPatch,
)


async def _lock_agenda(db: AsyncSession, session: MentoringSession) -> None:
    """Agenda writes of one session run one at a time, so positions stay 0..n-1."""
    await lock_row(db, MentoringSession, session.id)


def _check_owner(session: MentoringSession, owner_id: int | None, field: str = "owner_id") -> None:
    if owner_id is not None and owner_id not in session.participant_ids:
        raise ApiError(
            422,
            "validation_error",
            "The owner must take part in the session.",
            fields={field: "Not a participant of this session."},
        )


async def add_item(db: AsyncSession, session: MentoringSession, data: AgendaItemIn) -> AgendaItem:
    """Append an item to the session's agenda."""
    _check_owner(session, data.owner_id)
    await _lock_agenda(db, session)
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
    db: AsyncSession, session: MentoringSession, item_id: int, data: AgendaItemPatch
) -> AgendaItem:
    """Change an item's fields, tick it off, or move it."""
    changes = data.model_dump(exclude_unset=True)
    if "position" in changes:
        await _lock_agenda(db, session)
    item = await _item(db, session, item_id)
    if "owner_id" in changes:
        _check_owner(session, changes["owner_id"])
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
    db: AsyncSession, session: MentoringSession, data: ActionItemIn
) -> ActionItem:
    """Record a promise made in the session."""
    _check_owner(session, data.owner_id)
    if data.agenda_item_id is not None:
        await _item(db, session, data.agenda_item_id)
    item = ActionItem(session_id=session.id, **data.model_dump())
    db.add(item)
    await db.flush()
    return item


async def update_action_item(
    db: AsyncSession, item: ActionItem, data: ActionItemPatch
) -> ActionItem:
    """Tick off or edit an action item."""
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(item, key, value)
    await db.flush()
    return item
