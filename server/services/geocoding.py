"""Turning a city someone typed into a stored point: offline by default, Nominatim if configured.

A profile's location is geocoded once when it changes, never per request, and the stored point is
the city's centre, so no one's exact whereabouts are ever kept.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from geopy.adapters import AioHTTPAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import AsyncRateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.geo import snap_to_grid
from models.geocoder import OfflineGeocoder, Place
from models.meetups import GeocodeCacheEntry
from models.places import CityTable, fold_name
from server.errors import ApiError

log = logging.getLogger(__name__)

USER_AGENT = "Tandem mentoring (self-hosted; https://github.com/tandem-mentoring)"


@dataclass(frozen=True)
class Located:
    """A resolved place: what to show and the point to store."""

    name: str
    country: str
    latitude: float
    longitude: float


def _place(raw: dict[str, object]) -> Place:
    """The offline geocoder's `Location.raw` back as a Place."""
    return Place(
        geonameid=int(str(raw["geonameid"])),
        name=str(raw["name"]),
        country_code=str(raw["country_code"]),
        country=str(raw["country"]),
        region=str(raw["region"]),
        population=int(str(raw["population"])),
        lat=float(str(raw["latitude"])),
        lon=float(str(raw["longitude"])),
    )


class Geocoding:
    """One per app: the offline GeoNames geocoder, plus Nominatim when configured."""

    def __init__(
        self,
        offline: OfflineGeocoder,
        db: async_sessionmaker[AsyncSession],
        *,
        nominatim_domain: str | None = None,
        nominatim_scheme: str = "https",
        user_agent: str = USER_AGENT,
    ) -> None:
        self.offline = offline
        self._db = db
        self._online: Nominatim | None = None
        self._rate_limited: AsyncRateLimiter | None = None
        if nominatim_domain:
            self._online = Nominatim(
                domain=nominatim_domain,
                scheme=nominatim_scheme,
                user_agent=user_agent,
                adapter_factory=AioHTTPAdapter,
                timeout=10,
            )
            # Nominatim's usage policy: at most one request per second.
            self._rate_limited = AsyncRateLimiter(
                self._online.geocode, min_delay_seconds=1.0, max_retries=0, swallow_exceptions=False
            )

    async def close(self) -> None:
        """Close the online geocoder's HTTP session, if any."""
        if self._online is not None:
            adapter = self._online.adapter
            if hasattr(adapter, "__aexit__"):
                await adapter.__aexit__(None, None, None)

    async def cities(self) -> CityTable:
        """The GeoNames city table, loaded off the event loop on first use (about a second)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, lambda: self.offline.cities)

    async def _offline(self, query: str) -> list[Place]:
        locations = await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.offline.geocode(query, exactly_one=False, limit=10)
        )
        return [_place(loc.raw) for loc in locations or []]

    async def search(self, query: str, limit: int = 10) -> list[Place]:
        """Cities matching what someone typed, largest first (for autocomplete)."""
        places = await self._offline(query)
        if not places:
            loop = asyncio.get_running_loop()
            places = await loop.run_in_executor(None, self.offline.search, query, limit)
        return places[:limit]

    async def locate(self, city: str, country: str) -> Located | None:
        """The city's centre, or None when nobody knows the place."""
        query = f"{city}, {country}" if country else city
        if self._rate_limited is None:
            places = await self._offline(query)
            if not places:
                return None
            place = places[0]
            return Located(place.name, place.country, place.lat, place.lon)
        return await self._locate_online(query)

    async def _locate_online(self, query: str) -> Located | None:
        key = fold_name(query)[:300]
        async with self._db() as db:
            cached = await db.get(GeocodeCacheEntry, key)
            if cached is not None:
                return Located(cached.name, cached.country, cached.latitude, cached.longitude)
        assert self._rate_limited is not None
        try:
            location = await self._rate_limited(query, exactly_one=True)
        except GeopyError as exc:
            log.warning("online geocoder failed for %r: %s", query, exc)
            raise ApiError(
                502,
                "geocoder_unavailable",
                "The place search service is not answering right now. Try again in a minute.",
            ) from None
        if location is None:
            return None
        # Snap to the nearest known city centre, or a coarse grid where there is none.
        nearby = self.offline.place_at(location.latitude, location.longitude)
        if nearby is not None:
            lat, lon = nearby.lat, nearby.lon
        else:
            lat, lon = snap_to_grid(location.latitude, location.longitude)
        address = location.raw.get("address", {}) if isinstance(location.raw, dict) else {}
        name = str(location.raw.get("name") or query.split(",")[0]).strip()
        located = Located(name, str(address.get("country", "")), lat, lon)
        async with self._db() as db:
            db.add(
                GeocodeCacheEntry(
                    query=key,
                    name=located.name,
                    country=located.country,
                    latitude=lat,
                    longitude=lon,
                )
            )
            await db.commit()
        return located

    async def point_for(self, city: str, country: str) -> tuple[float, float] | None:
        """The stored point for a profile (the Locator the accounts service expects)."""
        located = await self.locate(city, country)
        return None if located is None else (located.latitude, located.longitude)
