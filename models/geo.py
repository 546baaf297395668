"""Geo maths on the sphere: distances, privacy snapping, distance bands, fair meeting points.

Everything here is pure and database-free. Angles are degrees at the edges (what users and
GeoNames speak) and radians or 3-D unit vectors inside (what the maths wants).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG); the sphere is exact enough for 'how far is the meetup'."""

FloatArray = NDArray[np.float64]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_km_array(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> FloatArray:
    """Great-circle distances in km, broadcasting like numpy (the vectorised `haversine_km`)."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))))


def unit_vectors(lats: ArrayLike, lons: ArrayLike) -> FloatArray:
    """Points as (n, 3) unit vectors: straight-line (chord) distance then orders like arc length."""
    phi = np.radians(np.asarray(lats, dtype=np.float64))
    lam = np.radians(np.asarray(lons, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)], axis=-1)


def lat_lon(vector: FloatArray) -> tuple[float, float]:
    """A 3-D vector (any length) back to (lat, lon) in degrees."""
    x, y, z = (float(c) for c in vector)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def chord_for_km(distance_km: ArrayLike) -> FloatArray:
    """Unit-sphere chord length for an arc length in km: 2 sin(d / 2R), capped at antipodes."""
    angle = np.minimum(np.asarray(distance_km, dtype=np.float64) / EARTH_RADIUS_KM, math.pi)
    return np.asarray(2 * np.sin(angle / 2))


def km_for_chord(chord: ArrayLike) -> FloatArray:
    """Arc length in km for a unit-sphere chord (the inverse of `chord_for_km`)."""
    half = np.minimum(np.asarray(chord, dtype=np.float64) / 2, 1.0)
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(half))


# --- privacy -------------------------------------------------------------------------------------


def snap_to_grid(lat: float, lon: float, step_deg: float = 0.05) -> tuple[float, float]:
    """Round a point to a fixed grid once, when stored, so exact homes never reach the database.

    0.05 degrees is about 5.5 km north-south; distances between snapped points are off by at most
    one grid diagonal, which the coarse distance bands absorb.
    """
    if step_deg <= 0:
        raise ValueError("step_deg must be positive")
    snapped_lat = max(-90.0, min(90.0, round(lat / step_deg) * step_deg))
    snapped_lon = round(lon / step_deg) * step_deg
    snapped_lon = (snapped_lon + 180.0) % 360.0 - 180.0
    # Rounding again strips float noise such as 48.85000000000001 from what gets stored.
    return round(snapped_lat, 6), round(snapped_lon, 6)


class DistanceBand(StrEnum):
    """What a person sees about how far someone is: a band, never a number."""

    UNDER_5_KM = "under 5 km"
    FROM_5_TO_25_KM = "5-25 km"
    FROM_25_TO_100_KM = "25-100 km"
    OVER_100_KM = "over 100 km"


def distance_band(distance_km: float) -> DistanceBand:
    """The band a distance falls in (lower bounds inclusive, 100 km itself is '25-100 km')."""
    if distance_km < 5:
        return DistanceBand.UNDER_5_KM
    if distance_km < 25:
        return DistanceBand.FROM_5_TO_25_KM
    if distance_km <= 100:
        return DistanceBand.FROM_25_TO_100_KM
    return DistanceBand.OVER_100_KM


# What reach and distance are compared as: band edges, so that trying every `max_travel_km`
# teaches nothing finer than the band someone is in.
REACH_STEPS_KM = (5.0, 25.0, 100.0, 1000.0)


def banded_reach_km(max_travel_km: float) -> float:
    """A travel limit rounded up to the next band edge (0 stays 0: not travelling at all)."""
    if max_travel_km <= 0:
        return 0.0
    return next((step for step in REACH_STEPS_KM if max_travel_km <= step), REACH_STEPS_KM[-1])


def banded_distance_km(distance_km: float) -> float:
    """A distance rounded up to the upper edge of its band (beyond the last edge: infinite)."""
    if distance_km < 5:
        return 5.0
    if distance_km < 25:
        return 25.0
    if distance_km <= 100:
        return 100.0
    return 1000.0 if distance_km <= 1000 else math.inf


def within_banded_reach(distance_km: float, *max_travel_km: float) -> bool:
    """Whether everyone's banded travel limit covers the banded distance."""
    return banded_distance_km(distance_km) <= min(banded_reach_km(km) for km in max_travel_km)


def band_between(lat1: float, lon1: float, lat2: float, lon2: float) -> DistanceBand:
    """The distance band between two stored (already snapped) points."""
    return distance_band(haversine_km(lat1, lon1, lat2, lon2))


# --- fair meeting points -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Circle:
    """A spherical cap: its centre and the great-circle radius reaching every point."""

    lat: float
    lon: float
    radius_km: float


def _points(lats: ArrayLike, lons: ArrayLike) -> FloatArray:
    vectors = unit_vectors(lats, lons).reshape(-1, 3)
    if len(vectors) == 0:
        raise ValueError("need at least one point")
    return vectors


def _normalised(v: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(v))
    if norm < 1e-12:
        raise ValueError("points are spread over more than a hemisphere")
    return np.asarray(v / norm)


def _cap_through_two(a: FloatArray, b: FloatArray) -> tuple[FloatArray, float]:
    centre = _normalised(a + b)
    return centre, float(centre @ a)


def _cap_through_three(a: FloatArray, b: FloatArray, c: FloatArray) -> tuple[FloatArray, float]:
    normal = np.cross(b - a, c - a)
    if float(np.linalg.norm(normal)) < 1e-15:  # collinear on a great circle: widest pair decides
        pairs = [_cap_through_two(p, q) for p, q in ((a, b), (a, c), (b, c))]
        return min(pairs, key=lambda cap: cap[1])
    centre = _normalised(normal)
    if float(centre @ a) < 0:  # the plane cuts two caps; the points sit in the smaller one
        centre = -centre
    return centre, float(centre @ a)


def enclosing_circle(lats: ArrayLike, lons: ArrayLike) -> Circle:
    """Smallest circle on the sphere holding every point: its centre minimises the longest trip.

    Welzl's incremental algorithm on unit vectors (expected linear time, exact). The points must
    fit in a hemisphere, which any group that could meet in person does.
    """
    points = _points(lats, lons)
    # A fixed shuffle keeps the expected-linear bound without making results random.
    points = points[np.random.default_rng(0).permutation(len(points))]
    tolerance = 1e-12

    def holds(cap: tuple[FloatArray, float], p: FloatArray) -> bool:
        return float(cap[0] @ p) >= cap[1] - tolerance

    cap = (points[0], 1.0)
    for i in range(1, len(points)):
        if holds(cap, points[i]):
            continue
        cap = (points[i], 1.0)
        for j in range(i):
            if holds(cap, points[j]):
                continue
            cap = _cap_through_two(points[i], points[j])
            for k in range(j):
                if not holds(cap, points[k]):
                    cap = _cap_through_three(points[i], points[j], points[k])
    lat, lon = lat_lon(cap[0])
    return Circle(lat, lon, longest_trip_km(lat, lon, lats, lons))


def geometric_median(
    lats: ArrayLike, lons: ArrayLike, *, tolerance_km: float = 1e-4, max_iterations: int = 500
) -> tuple[float, float]:
    """The point minimising total great-circle travel, by Weiszfeld's iteration on the sphere.

    Each step maps the points into the tangent plane at the current estimate, takes the
    distance-weighted mean there and maps back; it converges for points within a hemisphere.
    """
    points = _points(lats, lons)
    x = _normalised(points.sum(axis=0))
    for _ in range(max_iterations):
        cos_angle = np.clip(points @ x, -1.0, 1.0)
        tangent = points - np.outer(cos_angle, x)
        sin_angle = np.linalg.norm(tangent, axis=1)
        angle = np.arctan2(sin_angle, cos_angle)
        away = angle > 1e-12
        directions = tangent[away] / sin_angle[away, None]
        pull = directions.sum(axis=0)
        # Vardi-Zhang: people standing on the estimate hold it there unless the rest pull harder.
        here = len(points) - int(away.sum())
        if not away.any() or float(np.linalg.norm(pull)) <= here:
            break
        # Weiszfeld in the tangent plane: sum(p_i / d_i) / sum(1 / d_i) with p_i = d_i * unit_i.
        step = pull / (1.0 / angle[away]).sum()
        if here:
            step *= 1 - here / float(np.linalg.norm(pull))
        length = float(np.linalg.norm(step))
        x = _normalised(
            x * math.cos(length) + (step / length if length else step) * math.sin(length)
        )
        if length * EARTH_RADIUS_KM < tolerance_km:
            break
    # Weiszfeld crawls when the optimum is a person's own spot; check the nearest few spots.
    nearest = np.argsort(-(points @ x))[:8]
    candidates = [lat_lon(c) for c in np.vstack([x, points[nearest]])]
    return min(candidates, key=lambda c: total_travel_km(c[0], c[1], lats, lons))


def total_travel_km(lat: float, lon: float, lats: ArrayLike, lons: ArrayLike) -> float:
    """Sum of everyone's great-circle distance to one point."""
    return float(haversine_km_array(lat, lon, lats, lons).sum())


def longest_trip_km(lat: float, lon: float, lats: ArrayLike, lons: ArrayLike) -> float:
    """The longest great-circle distance anyone travels to one point."""
    return float(haversine_km_array(lat, lon, lats, lons).max())
