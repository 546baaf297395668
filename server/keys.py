"""Every piece of typed application state, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from server.connections import LiveConnections
    from server.security import SpentJoinTokens
    from server.services.accounts import Locator
    from server.services.agenda import AgendaFeed
    from server.services.geocoding import Geocoding
    from server.services.matching import MentorCatalog
    from server.services.notifications import Notifier
    from server.settings import Settings
    from server.throttle import LoginThrottle, SignupLimit
    from signaling.handler import Timing
    from signaling.notes_sync import NotesHub
    from signaling.office_hours import OfficeHoursRooms
    from signaling.rooms import RoomRegistry

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
ENGINE: web.AppKey[AsyncEngine] = web.AppKey("engine")
DB: web.AppKey[async_sessionmaker[AsyncSession]] = web.AppKey("db")
# Set only when TANDEM_REDIS_URL is configured.
REDIS: web.AppKey[Redis] = web.AppKey("redis")
THROTTLE: web.AppKey[LoginThrottle] = web.AppKey("throttle")
SIGNUPS: web.AppKey[SignupLimit] = web.AppKey("signups")
CONNECTIONS: web.AppKey[LiveConnections] = web.AppKey("connections")
SPENT_JOIN_TOKENS: web.AppKey[SpentJoinTokens] = web.AppKey("spent_join_tokens")
LOCATOR: web.AppKey[Locator] = web.AppKey("locator")
ROOMS: web.AppKey[RoomRegistry] = web.AppKey("rooms")
ROOM_TIMING: web.AppKey[Timing] = web.AppKey("room_timing")
GEOCODING: web.AppKey[Geocoding] = web.AppKey("geocoding")
OFFICE_HOURS_ROOMS: web.AppKey[OfficeHoursRooms] = web.AppKey("office_hours_rooms")
NOTES_ROOMS: web.AppKey[RoomRegistry] = web.AppKey("notes_rooms")
NOTES: web.AppKey[NotesHub] = web.AppKey("notes")
# How the agenda API tells everyone on a session's page or call that its agenda changed.
AGENDA_FEED: web.AppKey[AgendaFeed] = web.AppKey("agenda_feed")
NOTIFIER: web.AppKey[Notifier] = web.AppKey("notifier")
# Mentors as search and matching see them, rebuilt when a mentor's profile changes.
MENTOR_CATALOG: web.AppKey[MentorCatalog] = web.AppKey("mentor_catalog")
