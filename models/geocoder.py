"""An offline geopy geocoder over GeoNames cities: Nominatim's calls, no network, no API key.

Keep one `OfflineGeocoder` in the app state; it loads its `CityTable` on first use (about a second,
so call `load()` at startup, off the event loop).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Literal, overload

import numpy as np
from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point
from numpy.typing import NDArray

from models.places import ATTRIBUTION, CityTable, Place

__all__ = ["ATTRIBUTION", "OfflineGeocoder", "Place"]


class _NoNetworkAdapter(BaseSyncAdapter):  # type: ignore[misc]
    """Stands in for geopy's HTTP adapter, so nothing here can ever open a connection."""

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        raise RuntimeError("OfflineGeocoder never uses the network")

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise RuntimeError("OfflineGeocoder never uses the network")


def _location(place: Place) -> Location:
    return Location(place.display_name, Point(place.lat, place.lon), place.as_raw())


class OfflineGeocoder(Geocoder):  # type: ignore[misc]
    """geopy `Geocoder` answering from GeoNames cities in memory, larger places first."""

    def __init__(self, *, min_population: int = 15000, reverse_max_km: float = 100.0) -> None:
        super().__init__(adapter_factory=_NoNetworkAdapter)
        self.min_population = min_population
        self.reverse_max_km = reverse_max_km
        self._cities: CityTable | None = None
        self._loading = threading.Lock()  # warm-up may run in an executor while a request arrives

    @property
    def cities(self) -> CityTable:
        """The city table, loaded on first use."""
        if self._cities is None:
            with self._loading:
                if self._cities is None:
                    self._cities = CityTable(self.min_population)
        return self._cities

    def load(self) -> None:
        """Load the city table now rather than on the first lookup."""
        _ = self.cities

    @overload
    def geocode(
        self,
        query: str,
        *,
        exactly_one: Literal[True] = True,
        timeout: Any = None,
        limit: int | None = None,
        country_codes: str | Iterable[str] | None = None,
    ) -> Location | None: ...

    @overload
    def geocode(
        self,
        query: str,
        *,
        exactly_one: Literal[False],
        timeout: Any = None,
        limit: int | None = None,
        country_codes: str | Iterable[str] | None = None,
    ) -> list[Location]: ...

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: Any = None,
        limit: int | None = None,
        country_codes: str | Iterable[str] | None = None,
    ) -> Location | list[Location] | None:
        """Places named `query` ("Paris", "paris, fr", "Springfield, IL, US"), largest first.

        `timeout` is accepted for geopy compatibility and ignored: nothing waits on a network.
        """
        rows = self._filter_countries(self.cities.find(query), country_codes)
        locations = [_location(self.cities.place(int(row))) for row in rows[:limit]]
        if exactly_one:
            return locations[0] if locations else None
        return locations

    @overload
    def reverse(
        self,
        query: Point | tuple[float, float] | str,
        *,
        exactly_one: Literal[True] = True,
        timeout: Any = None,
    ) -> Location | None: ...

    @overload
    def reverse(
        self,
        query: Point | tuple[float, float] | str,
        *,
        exactly_one: Literal[False],
        timeout: Any = None,
    ) -> list[Location]: ...

    def reverse(
        self,
        query: Point | tuple[float, float] | str,
        *,
        exactly_one: bool = True,
        timeout: Any = None,
    ) -> Location | list[Location] | None:
        """The city a point belongs to, favouring larger places; None beyond `reverse_max_km`."""
        point = Point(query)
        found = self.cities.locate(point.latitude, point.longitude, max_km=self.reverse_max_km)
        locations = [_location(self.cities.place(row)) for row, _ in found]
        if exactly_one:
            return locations[0] if locations else None
        return locations

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """Autocomplete: cities whose name starts with `query`, own names first, then by size."""
        rows = self.cities.find(query, prefix=True)[: max(0, limit)]
        return [self.cities.place(int(row)) for row in rows]

    def place_at(self, lat: float, lon: float) -> Place | None:
        """The city a point belongs to: store its centre instead of a home (privacy snapping)."""
        found = self.cities.locate(lat, lon, max_km=self.reverse_max_km)
        return self.cities.place(found[0][0]) if found else None

    def _filter_countries(
        self, rows: NDArray[np.intp], country_codes: str | Iterable[str] | None
    ) -> NDArray[np.intp]:
        if country_codes is None:
            return rows
        codes = {country_codes} if isinstance(country_codes, str) else set(country_codes)
        wanted = {code.upper() for code in codes}
        return rows[[self.cities.country_codes[row] in wanted for row in rows]]
