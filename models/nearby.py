"""Who is near whom: a k-d tree over 3-D unit vectors, exact on the sphere, fast for a million.

Points live on the unit sphere, where the straight-line chord 2 sin(d / 2R) grows with the
great-circle distance d; so a Euclidean k-d tree answers sphere questions exactly, with no
trouble at the antimeridian or the poles. Every decision near a boundary is re-checked with
`haversine_km_array`, so results agree with a brute-force haversine scan to the last pair.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from models.geo import (
    FloatArray,
    chord_for_km,
    haversine_km_array,
    km_for_chord,
    unit_vectors,
)


def spatial_order(lats: FloatArray, lons: FloatArray) -> NDArray[np.intp]:
    """An order of points along a Z-order (Morton) curve, so near points sit near in memory.

    Querying a k-d tree in this order, over points stored in this order, runs about four times
    faster than in random order: each query finds the nodes the previous one left in cache.
    """
    y = ((np.asarray(lats) + 90.0) * (65535 / 180.0)).astype(np.uint32)
    x = ((np.asarray(lons) + 180.0) * (65535 / 360.0)).astype(np.uint32)
    return np.argsort(_spread_bits(x) | (_spread_bits(y) << np.uint32(1)), kind="stable")


def _spread_bits(x: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """Put a zero bit between each of the low 16 bits (the classic Morton interleave)."""
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        x = (x | (x << np.uint32(shift))) & np.uint32(mask)
    return x


_PARALLEL_FROM = 20_000  # below this many queries, starting threads costs more than it saves


def _search_chord(radius_km: float) -> float:
    """A tree radius a hair wider than the exact one, so no boundary point is pruned early."""
    return float(chord_for_km(radius_km)) * (1 + 1e-9) + 1e-12


@dataclass(frozen=True, slots=True)
class People:
    """People as parallel arrays: id, position, and how far each is willing to travel."""

    ids: NDArray[np.generic]
    lats: FloatArray
    lons: FloatArray
    max_travel_km: FloatArray

    @classmethod
    def of(
        cls, ids: ArrayLike, lats: ArrayLike, lons: ArrayLike, max_travel_km: ArrayLike
    ) -> People:
        """Arrays from anything array-like; a scalar `max_travel_km` applies to everyone."""
        id_array = np.asarray(ids)
        n = len(id_array)
        return cls(
            id_array,
            np.asarray(lats, dtype=np.float64).reshape(n),
            np.asarray(lons, dtype=np.float64).reshape(n),
            np.broadcast_to(np.asarray(max_travel_km, dtype=np.float64), (n,)),
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class NearestMatches:
    """For each query person (row), up to k matches, nearest first; -1 / inf pad short rows."""

    rows: NDArray[np.intp]  # (n, k) positions in the indexed people; -1 where none
    distance_km: FloatArray  # (n, k)

    def pairs(
        self, query_ids: ArrayLike, indexed_ids: ArrayLike
    ) -> list[tuple[object, object, float]]:
        """(query id, indexed id, km) for every match; for small results, not a million rows."""
        query_array, indexed_array = np.asarray(query_ids), np.asarray(indexed_ids)
        i, j = np.nonzero(self.rows >= 0)
        return [
            (
                query_array[a].item(),
                indexed_array[self.rows[a, b]].item(),
                float(self.distance_km[a, b]),
            )
            for a, b in zip(i, j, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class _Query:
    """One bulk query's arrays, shared read-only by the worker threads."""

    k: int
    order: NDArray[np.intp]  # input positions in curve order
    vectors: FloatArray  # unit vectors in curve order
    lats: FloatArray  # the rest in input order
    lons: FloatArray
    reach_km: FloatArray
    limit: FloatArray  # reach as a chord
    indexed_reach_km: FloatArray  # per indexed person, input order
    indexed_limit: FloatArray  # per tree row, as a chord, plus a -inf "nobody" slot


class NearbyIndex:
    """A k-d tree over people's unit vectors; ids are returned as given."""

    def __init__(self, ids: NDArray[np.generic], lats: FloatArray, lons: FloatArray) -> None:
        self.ids = ids
        self.lats = lats
        self.lons = lons
        # The tree holds the points in curve order; `_stored` maps its rows back to ours.
        self._stored = spatial_order(lats, lons)
        self._stored_or_none = np.append(self._stored, -1)  # tree row `size` means "nobody"
        self.tree = cKDTree(unit_vectors(lats[self._stored], lons[self._stored]).reshape(-1, 3))

    @classmethod
    def build(cls, ids: ArrayLike, lats: ArrayLike, lons: ArrayLike) -> NearbyIndex:
        """Index people by position."""
        people = People.of(ids, lats, lons, 0.0)
        return cls(people.ids, people.lats, people.lons)

    def __len__(self) -> int:
        return len(self.ids)

    def within(
        self, lat: float, lon: float, radius_km: float
    ) -> tuple[NDArray[np.generic], FloatArray]:
        """Ids and distances of everyone within `radius_km` of a point, nearest first."""
        tree_rows = self.tree.query_ball_point(unit_vectors(lat, lon), _search_chord(radius_km))
        found = self._stored[np.asarray(tree_rows, dtype=np.intp)]
        km = haversine_km_array(lat, lon, self.lats[found], self.lons[found])
        keep = km <= radius_km
        found, km = found[keep], km[keep]
        order = np.argsort(km, kind="stable")
        return self.ids[found[order]], km[order]

    def neighbourhoods(self, radius_km: float) -> list[NDArray[np.intp]]:
        """For each indexed person (input order), the positions of all within `radius_km`."""
        vectors = unit_vectors(self.lats, self.lons).reshape(-1, 3)
        found_lists = self.tree.query_ball_point(vectors, _search_chord(radius_km))
        result = []
        for i, tree_rows in enumerate(found_lists):
            found = self._stored[np.asarray(tree_rows, dtype=np.intp)]
            km = haversine_km_array(self.lats[i], self.lons[i], self.lats[found], self.lons[found])
            result.append(np.sort(found[km <= radius_km]))
        return result

    def nearest_eligible(
        self,
        lats: ArrayLike,
        lons: ArrayLike,
        reach_km: ArrayLike,
        indexed_reach_km: ArrayLike,
        *,
        k: int = 5,
        workers: int | None = None,
    ) -> NearestMatches:
        """The k nearest indexed people within BOTH sides' reach, for every query point.

        Queries run in curve order (see `spatial_order`), in chunks spread over `workers` threads
        (default: every CPU for big batches, one for small); numpy and the tree release the GIL,
        so the filtering runs in parallel too. Memory stays O(n k), never O(pairs).
        """
        q_lats = np.asarray(lats, dtype=np.float64).ravel()
        q_lons = np.asarray(lons, dtype=np.float64).ravel()
        n, size = len(q_lats), len(self)
        q_reach = np.broadcast_to(np.asarray(reach_km, dtype=np.float64), (n,))
        p_reach = np.broadcast_to(np.asarray(indexed_reach_km, dtype=np.float64), (size,))
        order = spatial_order(q_lats, q_lons)
        query = _Query(
            k=k,
            order=order,
            vectors=unit_vectors(q_lats[order], q_lons[order]).reshape(n, 3),
            lats=q_lats,
            lons=q_lons,
            reach_km=q_reach,
            limit=chord_for_km(q_reach),
            indexed_reach_km=p_reach,
            # Reach per tree row, plus one slot for "no neighbour" that nothing is within.
            indexed_limit=np.append(chord_for_km(p_reach)[self._stored], -np.inf),
        )
        threads = workers or ((os.cpu_count() or 1) if n >= _PARALLEL_FROM else 1)
        if threads == 1 or n == 0:
            parts = [self._nearest_in(query, 0, n)]
        else:  # a few chunks per thread, so one dense city does not leave a core idle
            bounds = np.linspace(0, n, 4 * threads + 1).astype(int)
            with ThreadPoolExecutor(threads) as pool:
                parts = list(pool.map(self._nearest_in, repeat(query), bounds[:-1], bounds[1:]))
        rows = np.empty((n, k), dtype=np.intp)
        distance = np.empty((n, k))
        rows[order] = np.concatenate([part[0] for part in parts])
        distance[order] = np.concatenate([part[1] for part in parts])
        return NearestMatches(rows, distance)

    def _nearest_in(
        self, query: _Query, start: int, end: int
    ) -> tuple[NDArray[np.intp], FloatArray]:
        """(positions, km) of the k nearest eligible for the queries at curve positions start..end.

        Asks the tree for k + 1 neighbours, drops those out of either reach, and asks again with
        four times as many only for the rows that came up short while still inside their own
        reach.
        """
        k, size, n = query.k, len(self), end - start
        tree_rows = np.full((n, k), size, dtype=np.intp)
        chords = np.full((n, k), np.inf)
        pending = np.arange(n)
        width = min(k + 1, size)
        while len(pending) and width > 0:
            asking = query.order[start + pending]
            chord, found = self.tree.query(
                query.vectors[start + pending],
                k=width,
                distance_upper_bound=_search_chord(float(query.reach_km[asking].max())),
            )
            chord, found = chord.reshape(len(pending), width), found.reshape(len(pending), width)
            limit = np.minimum(query.limit[asking, None], query.indexed_limit[found])
            over = chord - limit
            eligible = over <= 0
            # Chord and haversine agree to ~1e-15; inside 1e-12 (6 micrometres) haversine decides.
            close = np.abs(over) <= 1e-12
            if close.any():
                i, j = np.nonzero(close)
                eligible[i, j] = self._within_reach(query, asking[i], found[i, j])
            take = eligible & (np.cumsum(eligible, axis=1) <= k)
            # Stable sort of "not taken" moves taken columns to the front, keeping distance order.
            front = np.argsort(~take, axis=1, kind="stable")[:, :k]
            taken = np.take_along_axis(take, front, axis=1)
            cols = front.shape[1]  # fewer than k when fewer people are indexed
            tree_rows[pending, :cols] = np.where(taken, np.take_along_axis(found, front, 1), size)
            chords[pending, :cols] = np.where(taken, np.take_along_axis(chord, front, 1), np.inf)
            if width >= size:
                break
            # Short rows whose furthest neighbour is still inside their own reach may find more.
            reach_left = chord[:, -1] <= query.limit[asking] + 1e-12
            pending = pending[(taken.sum(axis=1) < k) & (found[:, -1] < size) & reach_left]
            width = min(4 * width, size)
        # Back to input positions (-1 for none) and to km, still in this thread.
        rows = self._stored_or_none[tree_rows]
        return rows, np.where(np.isfinite(chords), km_for_chord(chords), np.inf)

    def _within_reach(
        self, query: _Query, asking: NDArray[np.intp], tree_rows: NDArray[np.intp]
    ) -> NDArray[np.bool_]:
        """Haversine's verdict on (query position, tree row) pairs: within both reaches?"""
        stored = self._stored[tree_rows]
        km = haversine_km_array(
            query.lats[asking], query.lons[asking], self.lats[stored], self.lons[stored]
        )
        limit = np.minimum(query.reach_km[asking], query.indexed_reach_km[stored])
        return np.asarray(km <= limit)


def k_nearest_eligible(mentees: People, mentors: People, *, k: int = 5) -> NearestMatches:
    """For each mentee, the k nearest mentors both of whom are willing to travel that far."""
    index = NearbyIndex(mentors.ids, mentors.lats, mentors.lons)
    return index.nearest_eligible(
        mentees.lats, mentees.lons, mentees.max_travel_km, mentors.max_travel_km, k=k
    )


def group_by_metro(
    ids: ArrayLike, lats: ArrayLike, lons: ArrayLike, *, radius_km: float = 50.0, min_size: int = 2
) -> list[list[object]]:
    """Groups of at least `min_size` people who could meet up, largest first.

    Seeds are taken densest first and each gathers everyone still free within `radius_km`, so a
    group never spans more than two radii; connected components would chain Boston to Washington.
    """
    index = NearbyIndex.build(ids, lats, lons)
    exact = index.neighbourhoods(radius_km)
    n = len(index)
    assigned = np.zeros(n, dtype=bool)
    groups: list[list[object]] = []
    for seed in sorted(range(n), key=lambda i: (-len(exact[i]), i)):
        if assigned[seed]:
            continue
        members = exact[seed][~assigned[exact[seed]]]
        if len(members) >= min_size:
            assigned[members] = True
            groups.append([index.ids[m].item() for m in np.sort(members)])
    groups.sort(key=len, reverse=True)
    return groups
