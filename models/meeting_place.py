"""Where a group should meet: a real city near the fairest (or shortest) point, never a midpoint.

A bare midpoint would both land people in a field and reveal where they live; a city that is
nearly as good says neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike

from models.geo import enclosing_circle, geometric_median, haversine_km_array
from models.places import CityTable, Place


class Objective(StrEnum):
    """What 'best' means for a meeting place."""

    FAIREST = "fairest"  # minimise the longest trip (centre of the smallest enclosing circle)
    LEAST_TOTAL = "least_total"  # minimise everyone's travel added up (geometric median)


@dataclass(frozen=True, slots=True)
class MeetingSuggestion:
    """A city to meet in and how far each person (in input order) travels to it."""

    place: Place
    travel_km: tuple[float, ...]
    objective: Objective

    @property
    def longest_km(self) -> float:
        """The longest anyone travels."""
        return max(self.travel_km)

    @property
    def total_km(self) -> float:
        """Everyone's travel added up."""
        return sum(self.travel_km)


def suggest_meeting_place(
    cities: CityTable,
    lats: ArrayLike,
    lons: ArrayLike,
    *,
    objective: Objective = Objective.FAIREST,
    min_population: int = 50_000,
    candidates: int = 8,
) -> MeetingSuggestion:
    """The city of at least `min_population` that serves the group best near its optimum.

    The `candidates` cities nearest the optimum are scored by the objective itself, so a city a
    little further from the optimum but better for the group wins over the very nearest one.
    """
    lat_array = np.asarray(lats, dtype=np.float64).ravel()
    lon_array = np.asarray(lons, dtype=np.float64).ravel()
    if objective is Objective.FAIREST:
        circle = enclosing_circle(lat_array, lon_array)
        optimum = (circle.lat, circle.lon)
    else:
        optimum = geometric_median(lat_array, lon_array)
    near = cities.nearest(*optimum, k=candidates, min_population=min_population)
    if not near:
        raise ValueError(f"no city of {min_population}+ people in the table")
    rows = np.array([row for row, _ in near], dtype=np.intp)
    # trips[i, j]: person j's great-circle distance to candidate city i.
    trips = haversine_km_array(
        cities.lats[rows, None], cities.lons[rows, None], lat_array[None, :], lon_array[None, :]
    )
    cost = trips.max(axis=1) if objective is Objective.FAIREST else trips.sum(axis=1)
    best = int(np.lexsort((-cities.populations[rows], cost))[0])
    return MeetingSuggestion(
        place=cities.place(int(rows[best])),
        travel_km=tuple(float(km) for km in trips[best]),
        objective=objective,
    )
