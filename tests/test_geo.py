"""Geo maths: distances, snapping, bands, enclosing circle and geometric median."""

import math

import numpy as np
import pytest
from geopy.distance import great_circle

from models.geo import (
    EARTH_RADIUS_KM,
    DistanceBand,
    band_between,
    chord_for_km,
    distance_band,
    enclosing_circle,
    geometric_median,
    haversine_km,
    haversine_km_array,
    km_for_chord,
    longest_trip_km,
    snap_to_grid,
    total_travel_km,
)

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)
BERLIN = (52.52, 13.405)


def test_haversine_agrees_with_geopy_great_circle() -> None:
    expected = great_circle(PARIS, LONDON, radius=EARTH_RADIUS_KM).km
    assert haversine_km(*PARIS, *LONDON) == pytest.approx(expected, rel=1e-12)
    assert 340 < expected < 345


def test_one_degree_of_latitude_is_r_pi_over_180() -> None:
    assert haversine_km(10, 20, 11, 20) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-12)


def test_haversine_across_the_antimeridian_is_short() -> None:
    assert haversine_km(0, 179.9, 0, -179.9) == pytest.approx(22.239, abs=1e-3)


def test_vectorised_haversine_matches_scalar_and_broadcasts() -> None:
    rng = np.random.default_rng(3)
    lat1, lon1 = rng.uniform(-90, 90, 50), rng.uniform(-180, 180, 50)
    lat2, lon2 = rng.uniform(-90, 90, 50), rng.uniform(-180, 180, 50)
    many = haversine_km_array(lat1, lon1, lat2, lon2)
    one_by_one = [haversine_km(*p) for p in zip(lat1, lon1, lat2, lon2, strict=True)]
    assert many == pytest.approx(one_by_one, rel=1e-12)
    assert haversine_km_array(lat1[:, None], lon1[:, None], lat2, lon2).shape == (50, 50)


def test_chord_and_km_are_inverse() -> None:
    km = np.array([0.0, 5.0, 50.0, 5000.0, math.pi * EARTH_RADIUS_KM])
    assert km_for_chord(chord_for_km(km)) == pytest.approx(km, rel=1e-12)
    assert float(chord_for_km(math.pi * EARTH_RADIUS_KM)) == pytest.approx(2.0)


def test_snap_to_grid_rounds_to_the_grid_once() -> None:
    assert snap_to_grid(*PARIS) == (48.85, 2.35)
    assert snap_to_grid(48.8749, 2.3751) == (48.85, 2.4)
    assert snap_to_grid(*snap_to_grid(*PARIS)) == snap_to_grid(*PARIS)
    assert snap_to_grid(10.0, 179.99) == (10.0, -180.0)
    assert snap_to_grid(89.99, 0.0) == (90.0, 0.0)
    assert snap_to_grid(48.8566, 2.3522, step_deg=0.5) == (49.0, 2.5)
    with pytest.raises(ValueError):
        snap_to_grid(0, 0, step_deg=0)


@pytest.mark.parametrize(
    ("km", "band"),
    [
        (0.0, "under 5 km"),
        (4.999, "under 5 km"),
        (5.0, "5-25 km"),
        (24.99, "5-25 km"),
        (25.0, "25-100 km"),
        (100.0, "25-100 km"),
        (100.01, "over 100 km"),
    ],
)
def test_distance_bands(km: float, band: str) -> None:
    assert distance_band(km) == band
    assert distance_band(km).value == band


def test_band_between_stored_points() -> None:
    assert band_between(*PARIS, *LONDON) is DistanceBand.OVER_100_KM
    assert (
        band_between(*snap_to_grid(*PARIS), *snap_to_grid(48.87, 2.33)) is DistanceBand.UNDER_5_KM
    )


def test_enclosing_circle_of_two_points_is_centred_between_them() -> None:
    circle = enclosing_circle([PARIS[0], LONDON[0]], [PARIS[1], LONDON[1]])
    half = haversine_km(*PARIS, *LONDON) / 2
    assert circle.radius_km == pytest.approx(half, rel=1e-9)
    assert haversine_km(circle.lat, circle.lon, *PARIS) == pytest.approx(half, rel=1e-9)
    assert haversine_km(circle.lat, circle.lon, *LONDON) == pytest.approx(half, rel=1e-9)


def test_enclosing_circle_beats_every_sampled_centre() -> None:
    rng = np.random.default_rng(11)
    lats, lons = rng.normal(45, 3, 40), rng.normal(5, 4, 40)
    circle = enclosing_circle(lats, lons)
    assert longest_trip_km(circle.lat, circle.lon, lats, lons) == pytest.approx(circle.radius_km)
    candidates = np.column_stack([rng.uniform(35, 55, 3000), rng.uniform(-8, 18, 3000)])
    candidates = np.vstack([candidates, np.column_stack([lats, lons])])
    sampled = haversine_km_array(candidates[:, :1], candidates[:, 1:], lats, lons).max(axis=1)
    assert circle.radius_km <= sampled.min() + 1e-9
    # Two or three points sit on the circle: it is tight, not merely enclosing.
    on_rim = np.isclose(haversine_km_array(circle.lat, circle.lon, lats, lons), circle.radius_km)
    assert 2 <= on_rim.sum() <= 3


def test_enclosing_circle_across_the_antimeridian() -> None:
    circle = enclosing_circle([-17.7, -18.1, -17.9], [178.5, -179.5, 179.9])
    assert abs(circle.lon) > 179
    assert circle.radius_km < 120


def test_enclosing_circle_needs_points() -> None:
    with pytest.raises(ValueError):
        enclosing_circle([], [])


def test_geometric_median_beats_centroid_on_a_skewed_set() -> None:
    lats = [48.85, 48.86, 48.84, 48.87, 48.85, BERLIN[0]]
    lons = [2.35, 2.36, 2.33, 2.34, 2.30, BERLIN[1]]
    median = geometric_median(lats, lons)
    centroid = (float(np.mean(lats)), float(np.mean(lons)))
    at_median = total_travel_km(*median, lats, lons)
    assert at_median < total_travel_km(*centroid, lats, lons) - 100
    assert haversine_km(*median, 48.85, 2.35) < 3  # the crowd in Paris wins, not Berlin
    for bearing in range(0, 360, 45):  # and no step of 1 km in any direction improves it
        dlat = math.cos(math.radians(bearing)) / 111.2
        dlon = math.sin(math.radians(bearing)) / (111.2 * math.cos(math.radians(median[0])))
        assert at_median <= total_travel_km(median[0] + dlat, median[1] + dlon, lats, lons) + 1e-6


def test_geometric_median_stays_on_a_crowd_standing_together() -> None:
    lats, lons = [48.85] * 5 + [BERLIN[0]], [2.35] * 5 + [BERLIN[1]]
    median = geometric_median(lats, lons)
    assert haversine_km(*median, 48.85, 2.35) < 1e-6


def test_geometric_median_of_one_point_is_the_point() -> None:
    assert geometric_median([10.0], [20.0]) == pytest.approx((10.0, 20.0))
    assert enclosing_circle([10.0], [20.0]).radius_km == pytest.approx(0.0, abs=1e-9)


def test_geometric_median_of_three_is_the_fermat_point() -> None:
    lats, lons = [0.0, 0.0, 1.0], [0.0, 1.0, 0.5]
    median = geometric_median(lats, lons)
    rng = np.random.default_rng(5)
    samples = np.column_stack([rng.uniform(-0.2, 1.2, 2000), rng.uniform(-0.2, 1.2, 2000)])
    sampled = haversine_km_array(samples[:, :1], samples[:, 1:], lats, lons).sum(axis=1)
    assert total_travel_km(*median, lats, lons) <= sampled.min() + 1e-6
