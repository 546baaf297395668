"""The mentor directory and a mentee's ranked suggestions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from models.base import utcnow
from models.matching import Match
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.representations import public_user
from server.services import matching
from server.services.matching import DirectoryPage, directory_query

routes = ApiRoutes("matching")


def match_json(match: Match) -> dict[str, Any]:
    """A score and its reasons."""
    return {"score": match.score, "parts": match.parts, "reasons": match.reasons}


def mentor_card_json(page: DirectoryPage, position: int, match: Match) -> dict[str, Any]:
    """A mentor as the directory lists them: public profile, open places, score and reasons."""
    catalog = page.catalog
    data = public_user(catalog.users[position], catalog.profiles[position])
    data["open_places"] = max(0, int(catalog.index.open_places[position]))
    data["in_person"] = catalog.index.in_person_band(page.viewer, position)
    data.update(match_json(match))
    return data


@routes.route("GET", "/mentors", "Search and filter the mentor directory, best match first")
async def directory(request: web.Request) -> web.Response:
    user = await require_user(request)
    query = directory_query(request.query)
    settings = request.app[keys.SETTINGS]
    now = utcnow()
    async with unit_of_work(request.app) as db:
        await matching.expire_requests(db, now, settings.request_expiry_hours)
        catalog = await request.app[keys.MENTOR_CATALOG].current(db, now)
        viewer = await matching.viewer_person(db, user)
    page = matching.directory_page(catalog, query, viewer)
    following = None
    if page.has_next:
        args = {k: v for k, v in request.query.items() if k != "page"}
        following = f"{request.path}?{urlencode({**args, 'page': query.page + 1})}"
    return web.json_response(
        {
            "mentors": [mentor_card_json(page, i, m) for i, m in page.rows],
            "total": page.total,
            "next": following,
        }
    )


@routes.route("GET", "/matches/suggestions", "The best mentors for me, with reasons (mentees)")
async def suggestions(request: web.Request) -> web.Response:
    user = await require_user(request)
    settings = request.app[keys.SETTINGS]
    now = utcnow()
    async with unit_of_work(request.app) as db:
        await matching.expire_requests(db, now, settings.request_expiry_hours)
        catalog = await request.app[keys.MENTOR_CATALOG].current(db, now)
        found = await matching.suggest(db, catalog, user, now)
    position = catalog.index.position
    return web.json_response(
        {
            "suggestions": [
                {
                    "mentor": public_user(
                        catalog.users[position[m.mentor_id]],
                        catalog.profiles[position[m.mentor_id]],
                    ),
                    **match_json(m),
                    "top": m.top,
                }
                for m in found
            ]
        }
    )
