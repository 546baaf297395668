"""Benchmark: the 5 nearest eligible mentors for every mentee, k-d tree against brute force.

Users are scattered around real GeoNames cities (weighted by population, 15 km spread), 20% of
them mentors, each willing to travel 5-50 km. Brute force is chunked numpy haversine; beyond
`--brute-max` users it runs on a sample of mentees and is scaled up (marked "est."), and the
sample doubles as a correctness check against the index.

    python benchmarks/nearby.py [--sizes 10000 100000 1000000] [--brute-max 10000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from numpy.typing import NDArray

from models.geo import EARTH_RADIUS_KM, haversine_km_array
from models.nearby import NearbyIndex, People
from models.places import CityTable

K = 5
MENTOR_SHARE = 0.2
SPREAD_KM = 15.0
SAMPLE_MENTEES = 1000


def clustered_users(cities: CityTable, n: int, rng: np.random.Generator) -> People:
    """n users around cities of 50 k+, more around bigger ones, each with a 5-50 km reach."""
    big = np.flatnonzero(cities.populations >= 50_000)
    weights = cities.populations[big] / cities.populations[big].sum()
    home = rng.choice(big, size=n, p=weights)
    lats = cities.lats[home] + np.degrees(rng.normal(0, SPREAD_KM, n) / EARTH_RADIUS_KM)
    lats = np.clip(lats, -89.9, 89.9)
    east_deg = np.degrees(rng.normal(0, SPREAD_KM, n) / EARTH_RADIUS_KM)
    lons = (cities.lons[home] + east_deg / np.cos(np.radians(lats)) + 180) % 360 - 180
    return People.of(np.arange(n), lats, lons, rng.uniform(5, 50, n))


def split(users: People, rng: np.random.Generator) -> tuple[People, People]:
    """(mentees, mentors), a random 20% being mentors."""
    is_mentor = rng.random(len(users)) < MENTOR_SHARE

    def pick(mask: NDArray[np.bool_]) -> People:
        return People(
            users.ids[mask], users.lats[mask], users.lons[mask], users.max_travel_km[mask]
        )

    return pick(~is_mentor), pick(is_mentor)


def brute_force(mentees: People, mentors: People) -> NDArray[np.intp]:
    """(n, K) mentor rows by scanning every mentor with haversine, -1 where none."""
    out = np.full((len(mentees), K), -1, dtype=np.intp)
    chunk = max(1, 2_000_000 // max(1, len(mentors)))  # ~16 MB temporaries stay in cache-ish
    for start in range(0, len(mentees), chunk):
        end = start + chunk
        km = haversine_km_array(
            mentees.lats[start:end, None], mentees.lons[start:end, None], mentors.lats, mentors.lons
        )
        limit = np.minimum(mentees.max_travel_km[start:end, None], mentors.max_travel_km)
        km[km > limit] = np.inf
        best = np.argpartition(km, K, axis=1)[:, :K]
        best_km = np.take_along_axis(km, best, axis=1)
        order = np.argsort(best_km, axis=1, kind="stable")
        best, best_km = np.take_along_axis(best, order, 1), np.take_along_axis(best_km, order, 1)
        out[start:end] = np.where(np.isfinite(best_km), best, -1)
    return out


def run(cities: CityTable, n: int, brute_max: int, rng: np.random.Generator) -> dict[str, object]:
    mentees, mentors = split(clustered_users(cities, n, rng), rng)
    cpu_started = time.process_time()
    started = time.perf_counter()
    index = NearbyIndex(mentors.ids, mentors.lats, mentors.lons)
    built = time.perf_counter()
    found = index.nearest_eligible(
        mentees.lats, mentees.lons, mentees.max_travel_km, mentors.max_travel_km, k=K
    )
    queried = time.perf_counter()
    cpu_s = time.process_time() - cpu_started

    if n <= brute_max:
        sample = np.arange(len(mentees))
    else:
        sample = rng.choice(len(mentees), size=SAMPLE_MENTEES, replace=False)
    sampled = People(
        *(getattr(mentees, f)[sample] for f in ("ids", "lats", "lons", "max_travel_km"))
    )
    brute_started = time.perf_counter()
    expected = brute_force(sampled, mentors)
    brute_s = (time.perf_counter() - brute_started) * len(mentees) / len(sample)
    # Ties at equal distance could differ in order; clustered random floats have none in practice.
    agree = bool((expected == found.rows[sample]).all())
    return {
        "users": n,
        "mentees": len(mentees),
        "mentors": len(mentors),
        "build_s": built - started,
        "query_s": queried - built,
        "index_s": queried - started,
        "cpu_s": cpu_s,
        "brute_s": brute_s,
        "brute_estimated": n > brute_max,
        "matched": float((found.rows >= 0).sum(axis=1).mean()),
        "agree": agree,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--brute-max", type=int, default=10_000)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    cities = CityTable()

    header = f"{'users':>9} {'mentees':>8} {'mentors':>8} {'build s':>8} {'query s':>8} "
    header += (
        f"{'total s':>8} {'cpu s':>6} {'brute s':>12} {'speed-up':>9} {'avg k':>6} {'agree':>6}"
    )
    print(header)
    results = []
    for n in args.sizes:
        r = run(cities, n, args.brute_max, rng)
        results.append(r)
        brute = f"{r['brute_s']:.2f}{' est.' if r['brute_estimated'] else ''}"
        speedup = float(r["brute_s"]) / float(r["index_s"])  # type: ignore[arg-type]
        print(
            f"{r['users']:>9,} {r['mentees']:>8,} {r['mentors']:>8,} {r['build_s']:>8.3f} "
            f"{r['query_s']:>8.3f} {r['index_s']:>8.3f} {r['cpu_s']:>6.2f} {brute:>12} "
            f"{speedup:>8.0f}x {r['matched']:>6.2f} {'yes' if r['agree'] else 'NO':>6}"
        )
    largest = results[-1]
    status = "all agree with brute force" if all(r["agree"] for r in results) else "MISMATCH"
    load = os.getloadavg()[0]
    print(
        f"summary: {largest['users']:,} users -> top-{K} eligible mentors for every mentee in "
        f"{largest['index_s']:.2f} s wall (build {largest['build_s']:.2f} s + query "
        f"{largest['query_s']:.2f} s, {largest['cpu_s']:.2f} CPU s) on {os.cpu_count()} cores "
        f"at load {load:.1f}; {status}"
    )


if __name__ == "__main__":
    main()
