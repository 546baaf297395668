"""Notes API: the session's shared notes, my private notes, versions, and the Markdown export."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from models import notes as store
from models.agenda import action_items_of_session, agenda_of
from models.notes_doc import SHARED_DOC, private_doc_name
from models.users import get_profile, users_by_ids
from server.api.access import participant_session
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.services.export import session_markdown

routes = ApiRoutes("notes")


@routes.route(
    "GET",
    "/sessions/{session_id}/notes",
    "The shared notes as Markdown, my private notes, who changed what, versions",
)
async def notes(request: web.Request) -> web.Response:
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        user_id = (await require_user(request)).id
        text = await store.load_text(db, session.id, SHARED_DOC)
        private = await store.load_text(db, session.id, private_doc_name(user_id))
        authors = await store.author_summary(db, session.id, SHARED_DOC)
        versions = await store.list_versions(db, session.id, SHARED_DOC)
        people = await users_by_ids(db, [a.author_id for a in authors if a.author_id])
    body: dict[str, Any] = {
        "doc": SHARED_DOC,
        "text": text,
        "private_text": private,
        "authors": [
            {**a.to_json(), "name": people[a.author_id].name if a.author_id in people else None}
            for a in authors
        ],
        "versions": [
            {
                "label": v.label,
                "created_at": v.created_at.isoformat(),
                "text": v.text,
                "contributors": [c.to_json() for c in v.contributors],
            }
            for v in versions
        ],
    }
    return web.json_response(body)


async def session_export(request: web.Request) -> tuple[str, str]:
    """The session's title and its record as Markdown (participants only)."""
    async with unit_of_work(request.app) as db:
        session = await participant_session(db, request)
        people = await users_by_ids(db, session.participant_ids)
        viewer = await get_profile(db, (await require_user(request)).id)
        markdown = session_markdown(
            session,
            people,
            await agenda_of(db, session.id),
            await store.load_text(db, session.id, SHARED_DOC),
            await action_items_of_session(db, session.id),
            viewer.timezone,
        )
    return session.title, markdown


@routes.route(
    "GET", "/sessions/{session_id}/export.md", "Agenda, notes and action items as Markdown"
)
async def export_markdown(request: web.Request) -> web.Response:
    title, markdown = await session_export(request)
    filename = "".join(c if c.isalnum() else "-" for c in title).strip("-")[:60] or "session"
    return web.Response(
        text=markdown,
        content_type="text/markdown",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.md"'},
    )
