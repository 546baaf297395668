"""Programme admins match every unmatched mentee at once, review, edit and send."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import Field

from models.base import utcnow
from server import keys
from server.api.routing import ApiRoutes
from server.auth import require_user
from server.db import unit_of_work
from server.errors import read_json
from server.representations import mentorship_json
from server.schemas import Strict
from server.services import matching, programme_matching

routes = ApiRoutes("admin")


class PairIn(Strict):
    mentee_id: int
    mentor_id: int


class MatchingSendIn(Strict):
    pairs: Annotated[list[PairIn], Field(min_length=1, max_length=5000)]


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.id, "name": user.name}


@routes.route(
    "POST", "/admin/matching/run", "Propose the optimal programme-wide assignment (admins)"
)
async def run(request: web.Request) -> web.Response:
    user = await require_user(request)
    programme_matching.require_admin(user)
    now = utcnow()
    async with unit_of_work(request.app) as db:
        await matching.expire_requests(db, now, request.app[keys.SETTINGS].request_expiry_hours)
        catalog = await request.app[keys.MENTOR_CATALOG].current(db, now)
        result = await programme_matching.run(db, catalog)
    return web.json_response(
        {
            "proposals": [
                {
                    "mentee": _person(p.mentee),
                    "mentor": _person(p.mentor),
                    "score": p.match.score,
                    "reasons": p.match.reasons,
                }
                for p in result.proposals
            ],
            "total": result.total,
            "greedy_total": result.greedy_total,
            "gain_over_greedy": round(result.total - result.greedy_total, 1),
            "unmatched": [_person(u) for u in result.unmatched],
            "mentors_with_places": result.mentors_considered,
        }
    )


@routes.route(
    "POST",
    "/admin/matching/send",
    "Send reviewed proposals as mentorship requests (admins)",
    body=MatchingSendIn,
)
async def send(request: web.Request) -> web.Response:
    user = await require_user(request)
    programme_matching.require_admin(user)
    data = await read_json(request, MatchingSendIn)
    now = utcnow()
    async with unit_of_work(request.app) as db:
        await matching.expire_requests(db, now, request.app[keys.SETTINGS].request_expiry_hours)
        sent, refused = await programme_matching.send(
            db, [(p.mentee_id, p.mentor_id) for p in data.pairs]
        )
    return web.json_response(
        {
            "sent": [mentorship_json(m) for m in sent],
            "refused": [r.__dict__ for r in refused],
        }
    )
