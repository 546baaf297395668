"""Nearby search: the k-d tree must agree exactly with a brute-force haversine scan."""

import numpy as np
import pytest
from numpy.typing import NDArray

from models.geo import haversine_km, haversine_km_array
from models.nearby import NearbyIndex, People, group_by_metro, k_nearest_eligible, spatial_order


def awkward_points(
    n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A third anywhere, a third straddling the antimeridian, a third near either pole."""
    lats = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lons = rng.uniform(-180, 180, n)
    third = n // 3
    lats[:third] = rng.uniform(-3, 3, third)
    lons[:third] = np.where(
        rng.random(third) < 0.5, rng.uniform(178, 180, third), rng.uniform(-180, -178, third)
    )
    lats[third : 2 * third] = rng.uniform(87, 90, third) * rng.choice([-1, 1], third)
    return lats, lons


@pytest.fixture(scope="module")
def people() -> tuple[People, People, NDArray[np.float64]]:
    """3,000 mentees, 1,000 mentors, and the brute-force distance matrix between them."""
    rng = np.random.default_rng(42)
    mentees = People.of(np.arange(3000), *awkward_points(3000, rng), rng.uniform(5, 300, 3000))
    mentors = People.of(
        np.arange(1000) + 10_000, *awkward_points(1000, rng), rng.uniform(5, 300, 1000)
    )
    km = haversine_km_array(
        mentees.lats[:, None], mentees.lons[:, None], mentors.lats, mentors.lons
    )
    return mentees, mentors, km


def brute_force_eligible(
    mentees: People, mentors: People, km: NDArray[np.float64]
) -> NDArray[np.bool_]:
    return np.asarray(km <= np.minimum(mentees.max_travel_km[:, None], mentors.max_travel_km))


def test_all_eligible_pairs_agree_exactly_with_brute_force(
    people: tuple[People, People, NDArray[np.float64]],
) -> None:
    mentees, mentors, km = people
    found = k_nearest_eligible(mentees, mentors, k=len(mentors))
    expected = set(zip(*np.nonzero(brute_force_eligible(mentees, mentors, km)), strict=True))
    got = {
        (int(i), int(found.rows[i, j])) for i, j in zip(*np.nonzero(found.rows >= 0), strict=True)
    }
    assert len(expected) > 20_000  # the test data must exercise the search
    assert got == expected
    # Pairs across the antimeridian and around the poles are among them.
    pairs = np.array(sorted(got))
    assert (np.abs(mentees.lons[pairs[:, 0]] - mentors.lons[pairs[:, 1]]) > 300).sum() > 100
    assert (np.abs(mentees.lats[pairs[:, 0]]) > 87).sum() > 100


def test_k_nearest_agree_exactly_with_brute_force(
    people: tuple[People, People, NDArray[np.float64]],
) -> None:
    mentees, mentors, km = people
    found = k_nearest_eligible(mentees, mentors, k=5)
    masked = np.where(brute_force_eligible(mentees, mentors, km), km, np.inf)
    best = np.argsort(masked, axis=1, kind="stable")[:, :5]
    best_km = np.take_along_axis(masked, best, axis=1)
    assert (found.rows == np.where(np.isfinite(best_km), best, -1)).all()
    assert found.distance_km == pytest.approx(best_km, rel=1e-9)
    counts = (found.rows >= 0).sum(axis=1)
    assert set(counts) >= {0, 5} and len(set(counts)) > 2  # full, empty and partial rows all occur


def test_threads_give_the_same_answer(people: tuple[People, People, NDArray[np.float64]]) -> None:
    mentees, mentors, _ = people
    index = NearbyIndex.build(mentors.ids, mentors.lats, mentors.lons)
    args = (mentees.lats, mentees.lons, mentees.max_travel_km, mentors.max_travel_km)
    alone = index.nearest_eligible(*args, k=5, workers=1)
    shared = index.nearest_eligible(*args, k=5, workers=3)
    assert (alone.rows == shared.rows).all()
    assert (alone.distance_km == shared.distance_km).all()
    assert (alone.rows >= 0).sum() > 1000


def test_no_mentees_or_no_mentors() -> None:
    nobody = People.of([], [], [], 10)
    someone = People.of([1], [0.0], [0.0], 10)
    assert k_nearest_eligible(nobody, someone).rows.shape == (0, 5)
    assert k_nearest_eligible(someone, nobody).rows.tolist() == [[-1] * 5]


def test_pairs_gives_ids() -> None:
    mentees = People.of(["ana", "bo"], [48.85, 10.0], [2.35, 10.0], 30)
    mentors = People.of([7, 8], [48.86, 48.95], [2.36, 2.35], [10, 5])
    found = k_nearest_eligible(mentees, mentors, k=3)
    [(mentee, mentor, km)] = found.pairs(mentees.ids, mentors.ids)
    assert (mentee, mentor) == ("ana", 7)
    assert km == pytest.approx(haversine_km(48.85, 2.35, 48.86, 2.36), rel=1e-9)


def test_eligibility_is_exact_at_the_boundary() -> None:
    d = haversine_km(0.0, 179.95, 0.1, -179.9)
    mentees = People.of([1, 2], [0.0, 0.0], [179.95, 179.95], [d, np.nextafter(d, 0)])
    mentors = People.of([9], [0.1], [-179.9], [d])
    found = k_nearest_eligible(mentees, mentors, k=1)
    assert found.rows[:, 0].tolist() == [0, -1]


def test_both_reaches_must_hold() -> None:
    mentees = People.of([1], [48.85], [2.35], 100)
    mentors = People.of([7, 8], [48.95, 49.5], [2.35, 2.35], [5, 100])
    found = k_nearest_eligible(mentees, mentors, k=2)
    assert found.rows.tolist() == [[1, -1]]  # the nearer mentor only travels 5 km


def test_within_agrees_with_brute_force(people: tuple[People, People, NDArray[np.float64]]) -> None:
    _, mentors, _ = people
    index = NearbyIndex.build(mentors.ids, mentors.lats, mentors.lons)
    for lat, lon in [(89.5, 10.0), (0.0, 180.0), (-88.0, -170.0)]:
        ids, km = index.within(lat, lon, 250)
        expected = haversine_km_array(lat, lon, mentors.lats, mentors.lons)
        assert set(ids.tolist()) == set(mentors.ids[expected <= 250].tolist())
        assert len(ids) > 5
        assert (np.diff(km) >= 0).all()


def test_spatial_order_is_a_permutation() -> None:
    rng = np.random.default_rng(1)
    lats, lons = rng.uniform(-90, 90, 500), rng.uniform(-180, 180, 500)
    assert sorted(spatial_order(lats, lons).tolist()) == list(range(500))


def test_groups_by_metro_area() -> None:
    ids = ["paris1", "paris2", "versailles", "nyc1", "brooklyn", "alone"]
    lats = [48.85, 48.90, 48.80, 40.71, 40.65, -33.9]
    lons = [2.35, 2.30, 2.13, -74.0, -73.95, 18.4]
    groups = group_by_metro(ids, lats, lons, radius_km=50)
    assert groups == [["paris1", "paris2", "versailles"], ["nyc1", "brooklyn"]]


def test_groups_do_not_chain_along_a_corridor() -> None:
    lats = np.full(11, 45.0)
    lons = np.linspace(0, 5.0, 11)  # 0.5 degrees apart: about 39 km
    groups = group_by_metro(np.arange(11), lats, lons, radius_km=50)
    assert len(groups) >= 3
    for group in groups:
        assert len(group) >= 2
        members = np.array(group)
        spread = haversine_km_array(
            lats[members, None], lons[members, None], lats[members], lons[members]
        )
        assert spread.max() <= 100
