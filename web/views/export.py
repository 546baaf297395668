"""The printable record of a session."""

from __future__ import annotations

from aiohttp import web
from markupsafe import Markup

from models import notes as store
from models.agenda import action_items_of_session, agenda_of
from models.notes_doc import SHARED_DOC
from models.sessions import get_session_for
from models.users import get_profile, users_by_ids
from server.db import unit_of_work
from server.errors import not_found
from server.params import int_param
from server.services.export import demote_headings, notes_parser
from web.rendering import page_user, render


async def printable_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    async with unit_of_work(request.app) as db:
        session = await get_session_for(db, int_param(request, "session_id"), user.id)
        if session is None:
            raise not_found("session")
        notes = await store.load_text(db, session.id, SHARED_DOC)
        context = {
            "session": session,
            "people": await users_by_ids(db, session.participant_ids),
            "agenda": await agenda_of(db, session.id),
            "notes_html": notes_html(notes),
            "action_items": await action_items_of_session(db, session.id),
            "zone": (await get_profile(db, user.id)).timezone,
        }
    return await render(request, "export.html", context)


def notes_html(markdown: str) -> Markup:
    """The shared notes rendered for reading: raw HTML in them stays text, headings sit below
    the record's own "Notes" heading."""
    # Safe to mark: markdown-it escapes all text and, with html off, every tag people typed.
    return Markup(notes_parser().render(demote_headings(markdown.strip())))
