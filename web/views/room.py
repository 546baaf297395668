"""The call page of a session: pre-join screen and call view (the call itself runs in room.js)."""

from __future__ import annotations

from aiohttp import web

from models.base import utcnow
from models.sessions import JOIN_EARLY, SessionKind, get_session_for
from models.users import get_profile, users_by_ids
from server.db import unit_of_work
from server.params import int_param
from server.services.meetup_sessions import venue_label
from server.services.rooms import RoomRefused, admit
from web.rendering import page_user, render


async def room_page(request: web.Request) -> web.Response:
    user = await page_user(request)
    session_id = int_param(request, "session_id")
    async with unit_of_work(request.app) as db:
        try:
            session = await admit(db, session_id, user.id, utcnow())
        except RoomRefused as exc:
            refusal = exc
            known = await get_session_for(db, session_id, user.id)
            zone = (await get_profile(db, user.id)).timezone
        else:
            people = await users_by_ids(db, session.participant_ids)
            venue = None
            if request.query.get("device") == "room":  # the shared laptop at a meetup's place
                venue = await venue_label(db, session.id, user.id)
            context = {
                "session": session,
                "people": people,
                "people_names": {uid: u.name for uid, u in people.items()},
                "venue": venue,
            }
            return await render(request, _template_for(session.kind), context)
    if known is None:  # not a participant, or no such session: say no more than that
        context = {"status": refusal.status, "message": refusal.message}
        return await render(request, "error.html", context, status=refusal.status)
    context = {
        "session": known,
        "code": refusal.code,
        "message": refusal.message,
        "opens_at": known.starts_at - JOIN_EARLY,
        "zone": zone,
    }
    return await render(request, "room_closed.html", context, status=409)


def _template_for(kind: SessionKind) -> str:
    """Office hours run on the server's SFU with their own page; 1:1 calls are peer to peer."""
    return "office_hours_room.html" if kind == SessionKind.OFFICE_HOURS else "room.html"
