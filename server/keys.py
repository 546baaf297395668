"""Every piece of typed application state, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from server.services.accounts import Locator
    from server.services.geocoding import Geocoding
    from server.settings import Settings
    from server.throttle import LoginThrottle
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
LOCATOR: web.AppKey[Locator] = web.AppKey("locator")
ROOMS: web.AppKey[RoomRegistry] = web.AppKey("rooms")
ROOM_TIMING: web.AppKey[Timing] = web.AppKey("room_timing")
GEOCODING: web.AppKey[Geocoding] = web.AppKey("geocoding")
OFFICE_HOURS_ROOMS: web.AppKey[OfficeHoursRooms] = web.AppKey("office_hours_rooms")
NOTES_ROOMS: web.AppKey[RoomRegistry] = web.AppKey("notes_rooms")
NOTES: web.AppKey[NotesHub] = web.AppKey("notes")
