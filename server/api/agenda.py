"""Agenda and action-item API: participants of the session only, everyone else gets 404."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import (
    ActionItem,
    AgendaItem,
    action_items_of_session,
    agenda_of,
    open_action_items_of,
)
from models.sessions import get_session_for
from server import keys
from server.api.access import participant_session
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import not_found, read_json
from server.params import int_param
from server.schemas import (
    ActionItemIn,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemPatch,
    AgendaTemplateIn,
)
from server.services import agenda
from server.services.activity_notices import action_item_assigned

routes = ApiRoutes("agenda")


def agenda_item_json(item: AgendaItem) -> dict[str, Any]:
    """An agenda item."""
    return {
        "id": item.id,
        "session_id": item.session_id,
        "title": item.title,
        "details": item.details,
        "owner_id": item.owner_id,
        "minutes": item.minutes,
        "done": item.done,
        "position": item.position,
        "carried_over": item.carried_over,
        "goal_id": item.goal_id,
    }


def action_item_json(item: ActionItem) -> dict[str, Any]:
    """An action item."""
    return {
        "id": item.id,
        "session_id": item.session_id,
        "title": item.title,
        "owner_id": item.owner_id,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "done": item.done,
        "agenda_item_id": item.agenda_item_id,
    }


async def agenda_message(db: AsyncSession, session_id: int) -> dict[str, Any]:
    """The `agenda` message: the session's whole agenda and action items, as they are now."""
    return {
        "type": "agenda",
        "session_id": session_id,
        "items": [agenda_item_json(i) for i in await agenda_of(db, session_id)],
        "action_items": [
            action_item_json(i) for i in await action_items_of_session(db, session_id)
        ],
    }


async def announce(request: web.Request, session_id: int) -> None:
    """Show a stored change live to everyone on the session's page or in its call."""
    feed = request.app.get(keys.AGENDA_FEED)
    if feed is None:
        return

    async def snapshot() -> dict[str, Any]:
        async with unit_of_work(request.app) as db:  # read after the change was committed
            return await agenda_message(db, session_id)

    await feed.publish(session_id, snapshot)


@routes.route("GET", "/sessions/{session_id}/agenda", "The session's agenda, in order")
async def list_agenda(request: web.Request) -> web.Response:
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        items = await agenda_of(db, session.id)
    return web.json_response({"items": [agenda_item_json(i) for i in items]})


@routes.route(
    "POST", "/sessions/{session_id}/agenda", "Add an agenda item", body=AgendaItemIn, status=201
)
async def add_agenda_item(request: web.Request) -> web.Response:
    data = await read_json(request, AgendaItemIn)
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        item = await agenda.add_item(db, session, (await require_user(request)).id, data)
    await announce(request, session.id)
    return web.json_response({"item": agenda_item_json(item)}, status=201)


@routes.route(
    "PATCH",
    "/sessions/{session_id}/agenda/{item_id}",
    "Edit, tick off or move an agenda item",
    body=AgendaItemPatch,
)
async def patch_agenda_item(request: web.Request) -> web.Response:
    data = await read_json(request, AgendaItemPatch)
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        item = await agenda.update_item(
            db, session, (await require_user(request)).id, int_param(request, "item_id"), data
        )
        items = await agenda_of(db, session.id)
    await announce(request, session.id)
    return web.json_response(
        {"item": agenda_item_json(item), "items": [agenda_item_json(i) for i in items]}
    )


@routes.route(
    "DELETE", "/sessions/{session_id}/agenda/{item_id}", "Delete an agenda item", status=204
)
async def delete_agenda_item(request: web.Request) -> web.Response:
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        await agenda.delete_item(db, session, int_param(request, "item_id"))
    await announce(request, session.id)
    return web.Response(status=204)


@routes.route(
    "POST",
    "/sessions/{session_id}/agenda/template",
    "Append a ready-made agenda (first_meeting, goal_review, office_hours)",
    body=AgendaTemplateIn,
    status=201,
)
async def apply_agenda_template(request: web.Request) -> web.Response:
    data = await read_json(request, AgendaTemplateIn)
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        items = await agenda.apply_template(db, session, data.template)
    await announce(request, session.id)
    return web.json_response({"items": [agenda_item_json(i) for i in items]}, status=201)


@routes.route("GET", "/sessions/{session_id}/action-items", "The session's action items")
async def list_action_items(request: web.Request) -> web.Response:
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        items = await action_items_of_session(db, session.id)
    return web.json_response({"action_items": [action_item_json(i) for i in items]})


@routes.route(
    "POST",
    "/sessions/{session_id}/action-items",
    "Turn a line or an agenda item into an action item",
    body=ActionItemIn,
    status=201,
)
async def add_action_item(request: web.Request) -> web.Response:
    data = await read_json(request, ActionItemIn)
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        item = await agenda.add_action_item(db, session, (await require_user(request)).id, data)
        told = await action_item_assigned(db, item, await require_user(request))
    request.app[keys.NOTIFIER].deliver(told)
    await announce(request, session.id)
    return web.json_response({"action_item": action_item_json(item)}, status=201)


@routes.route("GET", "/action-items", "My open action items across sessions, soonest due first")
async def my_action_items(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with unit_of_work(request.app) as db:
        items = await open_action_items_of(db, user.id)
    return web.json_response({"action_items": [action_item_json(i) for i in items]})


@routes.route(
    "PATCH",
    "/action-items/{item_id}",
    "Tick off or edit an action item (title, owner, due date)",
    body=ActionItemPatch,
)
async def patch_action_item(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request, ActionItemPatch)
    async with unit_of_work(request.app) as db:
        item = await db.get(ActionItem, int_param(request, "item_id"))
        session = None if item is None else await get_session_for(db, item.session_id, user.id)
        if item is None or session is None:
            raise not_found("action item")
        item = await agenda.update_action_item(db, item, data, session, user.id)
    await announce(request, session.id)
    return web.json_response({"action_item": action_item_json(item)})
