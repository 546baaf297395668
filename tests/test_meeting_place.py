"""Meeting places: a real city near the fairest or shortest point, with everyone's trip."""

import numpy as np
import pytest

from models.geo import enclosing_circle, geometric_median, haversine_km, haversine_km_array
from models.meeting_place import Objective, suggest_meeting_place
from models.places import CityTable

# Amsterdam, Brussels, Cologne, Luxembourg
LATS = [52.37, 50.85, 50.94, 49.61]
LONS = [4.90, 4.35, 6.96, 6.13]


@pytest.fixture(scope="module")
def cities() -> CityTable:
    return CityTable()


@pytest.mark.parametrize("objective", list(Objective))
def test_suggests_a_city_and_everyone_s_trip(cities: CityTable, objective: Objective) -> None:
    suggestion = suggest_meeting_place(
        cities, LATS, LONS, objective=objective, min_population=50_000
    )
    place = suggestion.place
    assert place.population >= 50_000
    expected = [
        haversine_km(place.lat, place.lon, lat, lon) for lat, lon in zip(LATS, LONS, strict=True)
    ]
    assert list(suggestion.travel_km) == pytest.approx(expected)
    assert suggestion.longest_km == pytest.approx(max(expected))
    assert suggestion.total_km == pytest.approx(sum(expected))


def test_fairest_city_is_never_worse_than_the_city_nearest_the_optimum(cities: CityTable) -> None:
    suggestion = suggest_meeting_place(cities, LATS, LONS, objective=Objective.FAIREST)
    circle = enclosing_circle(LATS, LONS)
    assert (suggestion.place.lat, suggestion.place.lon) != (circle.lat, circle.lon)
    [(row, _)] = cities.nearest(circle.lat, circle.lon, min_population=50_000)
    nearest_longest = haversine_km_array(cities.lats[row], cities.lons[row], LATS, LONS).max()
    assert suggestion.longest_km <= nearest_longest
    assert suggestion.longest_km >= circle.radius_km  # a city cannot beat the optimum


def test_least_total_is_close_to_the_median(cities: CityTable) -> None:
    suggestion = suggest_meeting_place(cities, LATS, LONS, objective=Objective.LEAST_TOTAL)
    median = geometric_median(LATS, LONS)
    optimum_total = float(haversine_km_array(*median, LATS, LONS).sum())
    assert optimum_total <= suggestion.total_km < optimum_total * 1.1


def test_a_bigger_threshold_picks_a_bigger_city(cities: CityTable) -> None:
    suggestion = suggest_meeting_place(cities, LATS, LONS, min_population=1_000_000)
    assert suggestion.place.population >= 1_000_000


def test_no_city_large_enough(cities: CityTable) -> None:
    with pytest.raises(ValueError):
        suggest_meeting_place(cities, LATS, LONS, min_population=10**9)
    assert np.isfinite(cities.lats).all()
