"""Group office hours live: lobby, capacity, hands, the host's controls, media through the SFU."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from aiortc import RTCIceServer

from models.office_hours import Decision, OfficeHours, decisions_of, record_decision
from models.sessions import MentoringSession, SessionKind
from server import keys
from server.db import unit_of_work
from server.settings import Settings
from signaling.office_hours.close_codes import OfficeHoursCloseCode
from signaling.office_hours.occurrence import Occurrence
from signaling.office_hours.rooms import OfficeHoursRooms
from signaling.office_hours.sfu_bridge import SfuBridge

__all__ = ["OfficeHoursRooms", "setup_office_hours"]


def _server_ice_servers(settings: Settings) -> list[RTCIceServer]:
    """The configured STUN servers, for the server's own candidates (it needs no TURN relay)."""
    servers = []
    for server in settings.ice_servers:
        urls = server["urls"] if isinstance(server["urls"], list) else [server["urls"]]
        stun = [str(u) for u in urls if str(u).startswith(("stun:", "stuns:"))]
        if stun:
            servers.append(RTCIceServer(urls=stun))
    return servers


class DatabaseOccurrences:
    """Occurrences as the database has them (the OccurrenceStore of a running app)."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    async def load(self, session_id: int) -> Occurrence | None:
        async with self._app[keys.DB]() as db:  # read only
            session = await db.get(MentoringSession, session_id)
            if session is None or session.kind != SessionKind.OFFICE_HOURS:
                return None
            series = await db.get(OfficeHours, session.office_hours_id)
            if series is None:
                return None
            decisions = await decisions_of(db, session_id)
            return Occurrence(
                session_id=session.id,
                host_id=session.host_id,
                capacity=series.capacity,
                admission=series.admission,
                ends_at=session.ends_at,
                admitted={u for u, d in decisions.items() if d == Decision.ADMITTED},
                removed={u for u, d in decisions.items() if d == Decision.REMOVED},
            )

    async def record_decision(self, session_id: int, user_id: int, decision: Decision) -> None:
        if decision == Decision.REMOVED:  # out of the notes too, at once, stored or not
            self._app[keys.CONNECTIONS].close_user(
                user_id,
                session_id=session_id,
                code=OfficeHoursCloseCode.REMOVED,
                reason="removed by the host",
            )
        async with unit_of_work(self._app) as db:
            await record_decision(db, session_id, user_id, decision)


def setup_office_hours(app: web.Application) -> OfficeHoursRooms:
    """Office-hours rooms on the app's room registry (call after `setup_signaling`)."""
    settings = app[keys.SETTINGS]
    sfu = SfuBridge(_server_ice_servers(settings), last_n=settings.office_hours_last_n or None)
    rooms = OfficeHoursRooms(app[keys.ROOMS], DatabaseOccurrences(app), sfu)
    rooms.attach()
    app[keys.OFFICE_HOURS_ROOMS] = rooms

    async def conferences(app: web.Application) -> AsyncIterator[None]:
        yield
        await rooms.close()

    app.cleanup_ctx.append(conferences)
    return rooms
