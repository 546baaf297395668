"""Benchmark: ranking, directory search and programme-wide matching, each beside a naive baseline.

Synthetic mentors get skills from a pool of 150 (some written as synonyms), a 40-word bio from a
2,000-word vocabulary, one of 20 industries, one or two of 10 languages, one of 25 time zones, and
a third of them a point near one of 40 cities. Targets (issue 15): one mentee ranked against
100k mentors in under 100 ms; a directory search over 10k in under 100 ms; 2,000 mentees x 500
mentors of capacity 4 assigned optimally in under 10 s.

    python benchmarks/matching.py [--mentors 10000 100000] [--search 10000] [--mentees 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from models.assignment import greedy_assignment, optimal_assignment
from models.geo import haversine_km
from models.matching import WEIGHTS, MentorIndex, Person
from models.mentor_search import MentorSearch, Searchable
from models.skills import canonical_skills, fold, words
from models.waking_hours import shared_hours, utc_offset_slots

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
ZONES = [
    "UTC", "Europe/London", "Europe/Berlin", "Europe/Athens", "Africa/Lagos", "Africa/Nairobi",
    "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Shanghai", "Asia/Tokyo",
    "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Mexico_City",
    "America/Bogota", "Europe/Madrid", "Europe/Istanbul", "Asia/Karachi", "Asia/Singapore",
    "America/Toronto",
]  # fmt: skip
LANGUAGES = ["English", "Spanish", "German", "French", "Hindi", "Mandarin", "Arabic",
             "Portuguese", "Japanese", "Swahili"]  # fmt: skip
SYNONYM_SPELLINGS = ["JS", "k8s", "Golang", "ML", "UX", "Postgres", "TS", "Node"]
FIRST = ["Ana", "Ben", "Chloé", "José", "Liu", "Mia", "Noor", "Omar", "Priya", "Sven", "Zoë"]


def _people(n: int, rng: np.random.Generator, *, mentors: bool) -> list[Person]:
    vocabulary = np.array([f"w{i}" for i in range(2000)])
    skills = np.array([f"skill{i}" for i in range(142)] + SYNONYM_SPELLINGS)
    cities = rng.uniform([-40, -120], [60, 140], size=(40, 2))
    texts = vocabulary[rng.integers(0, len(vocabulary), size=(n, 44))]
    skill_draws = skills[rng.integers(0, len(skills), size=(n, 5))]
    skill_counts = rng.integers(1, 6, n)
    language_draws = rng.integers(0, len(LANGUAGES), size=(n, 2))
    language_counts = rng.integers(1, 3, n)
    zones = rng.integers(0, len(ZONES), n)
    industries = rng.integers(0, 20, n)
    places = rng.integers(0, 5, n)
    located = rng.random(n) < 0.33
    home = cities[rng.integers(0, 40, n)] + rng.normal(0, 0.2, size=(n, 2))
    reach = rng.uniform(5, 60, n)
    offset = 0 if mentors else 10_000_000
    return [
        Person(
            id=i + offset,
            name=f"{FIRST[i % len(FIRST)]} Person{i}",
            headline=" ".join(texts[i, :4]),
            about=" ".join(texts[i, 4:]),
            skills=list(dict.fromkeys(skill_draws[i, : skill_counts[i]].tolist())),
            industry=f"industry{industries[i]}",
            languages=list(
                dict.fromkeys(LANGUAGES[j] for j in language_draws[i, : language_counts[i]])
            ),
            timezone=ZONES[zones[i]],
            open_places=int(places[i]),
            lat=float(home[i, 0]) if located[i] else None,
            lon=float(home[i, 1]) if located[i] else None,
            max_travel_km=float(reach[i]),
        )
        for i in range(n)
    ]


def naive_scores(index: MentorIndex, mentee: Person) -> list[float]:
    """The same score, one mentor at a time in plain Python: what a first version would do."""
    wanted = canonical_skills(mentee.skills)
    spoken = {fold(x) for x in mentee.languages}
    query = index.vectorizer.transform([mentee.text()])
    mine = utc_offset_slots(mentee.timezone, AT)
    scores = []
    for i, mentor in enumerate(index.mentors):
        shared = len(wanted.keys() & canonical_skills(mentor.skills).keys())
        skill = min(1.0, shared / max(1, min(3, len(wanted))))
        goals = float(index.text_matrix[i].multiply(query).sum())
        industry = float(bool(mentor.industry) and fold(mentor.industry) == fold(mentee.industry))
        language = float(bool(spoken & {fold(x) for x in mentor.languages}))
        hours = shared_hours(mine, utc_offset_slots(mentor.timezone, AT))[0] / 14
        places = min(1.0, max(0, mentor.open_places) / 3)
        near = 0.0
        if None not in (mentor.lat, mentor.lon, mentee.lat, mentee.lon):
            km = haversine_km(mentee.lat, mentee.lon, mentor.lat, mentor.lon)  # type: ignore[arg-type]
            near = float(km <= min(mentor.max_travel_km, mentee.max_travel_km))
        parts = [skill, goals, industry, language, hours, places, near]
        scores.append(sum(w * p for w, p in zip(WEIGHTS.values(), parts, strict=True)))
    return scores


def naive_search(mentors: list[Searchable], query: str) -> list[int]:
    """Every mentor's every word against every query word by edit distance: the obvious way."""
    terms = words(query)
    found = []
    for i, mentor in enumerate(mentors):
        vocabulary = set(mentor.words())
        if all(any(_within_one(t, w) for w in vocabulary) for t in terms):
            found.append(i)
    return found


def _within_one(a: str, b: str) -> bool:
    if a == b or b.startswith(a):
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= 1


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_ranking(n: int, rng: np.random.Generator) -> tuple[float, float, bool]:
    """(ms per ranking, naive ms per ranking (measured on 2k, scaled up), same top 5 on 2k?)."""
    mentors = _people(n, rng, mentors=True)
    build = time.perf_counter()
    index = MentorIndex(mentors, AT)
    built = time.perf_counter() - build
    mentee = _people(1, rng, mentors=False)[0]
    fast = _median_ms(lambda: index.rank(mentee, k=5), 7)
    sample = min(n, 2_000)
    sample_index = index if sample == n else MentorIndex(mentors[:sample], AT)
    start = time.perf_counter()
    slow_scores = naive_scores(sample_index, mentee)
    naive = (time.perf_counter() - start) * 1000 * n / sample
    top = [m.mentor_id for m in sample_index.rank(mentee, k=5)]
    agree = {int(i) for i in np.argsort(slow_scores)[::-1][:5]} == set(top)
    est = " est." if sample < n else ""
    print(
        f"rank 1 mentee vs {n:>7,} mentors: {fast:8.1f} ms (index built once in {built:.1f} s)"
        f" | naive {naive:9.0f} ms{est} | same top 5: {'yes' if agree else 'NO'}"
    )
    return fast, naive, agree


def bench_search(n: int, rng: np.random.Generator) -> float:
    """Median ms per directory search over n mentors."""
    people = _people(n, rng, mentors=True)
    mentors = [Searchable(p.name, p.headline, p.about, list(p.skills)) for p in people]
    search = MentorSearch(mentors)
    queries = ["jose", "w17 w18", "skil12", "javascript", "kubernetes w5", "persn42"]
    index = MentorIndex(people, AT)
    viewer = _people(1, rng, mentors=False)[0]

    def page(query: str) -> None:
        """What a directory request computes: search, score, order, explain one page of 20."""
        found = search.search(query)[0] if query else np.arange(n)
        scores = index.scores(viewer)
        order = found[np.argsort(-scores[found], kind="stable")][:20]
        parts = index.parts(viewer)
        for i in order:
            index.explain(viewer, int(i), parts, float(scores[i]))

    fast = statistics.median(_median_ms(lambda q=q: page(q), 5) for q in [*queries, ""])
    sample = 500
    start = time.perf_counter()
    for q in queries[:2]:
        naive_search(mentors[:sample], q)
    naive = (time.perf_counter() - start) * 1000 / 2 * n / sample
    agree = list(np.sort(search.search("jose")[0][search.search("jose")[0] < sample])) == sorted(
        naive_search(mentors[:sample], "jose")
    )
    print(
        f"directory page over {n:>7,} mentors: {fast:6.1f} ms (search, score, 20 cards)"
        f" | naive {naive:9.0f} ms est. | same hits: {'yes' if agree else 'NO'}"
    )
    return fast


def bench_assignment(mentees: int, mentors: int, rng: np.random.Generator) -> tuple[float, bool]:
    """Seconds for scoring and the optimal assignment; and whether it beat or tied greedy."""
    people = _people(mentors, rng, mentors=True)
    index = MentorIndex(people, AT)
    seekers = _people(mentees, rng, mentors=False)
    start = time.perf_counter()
    scores = index.score_matrix(seekers)
    scored = time.perf_counter() - start
    capacity = np.full(mentors, 4)
    start = time.perf_counter()
    optimal = optimal_assignment(scores, capacity)
    solved = time.perf_counter() - start
    start = time.perf_counter()
    greedy = greedy_assignment(scores, capacity)
    greedy_s = time.perf_counter() - start
    used = np.bincount([c for _, c in optimal.pairs], minlength=mentors)
    ok = optimal.total >= greedy.total - 1e-6 and bool((used <= capacity).all())
    print(
        f"assign {mentees:,} mentees x {mentors} mentors (capacity 4): score {scored:.1f} s + "
        f"optimal {solved:.1f} s = {scored + solved:.1f} s, total {optimal.total:,.0f} "
        f"| greedy {greedy_s:.1f} s, total {greedy.total:,.0f} "
        f"({100 * (optimal.total - greedy.total) / max(greedy.total, 1):+.2f}%)"
        f" | capacities kept, >= greedy: {'yes' if ok else 'NO'}"
    )
    return scored + solved, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--search", type=int, default=10_000)
    parser.add_argument("--mentees", type=int, default=2000)
    parser.add_argument("--assign-mentors", type=int, default=500)
    args = parser.parse_args()
    rng = np.random.default_rng(15)
    ranked = [bench_ranking(n, rng) for n in args.mentors]
    search_ms = bench_search(args.search, rng)
    assign_s, assign_ok = bench_assignment(args.mentees, args.assign_mentors, rng)
    rank_ms, naive_ms, _ = ranked[-1]
    ok = rank_ms < 100 and search_ms < 100 and assign_s < 10 and assign_ok
    print(
        f"summary: rank vs {args.mentors[-1]:,} in {rank_ms:.0f} ms ({naive_ms / rank_ms:.0f}x "
        f"naive), search {args.search:,} in {search_ms:.0f} ms, assign {args.mentees:,}x"
        f"{args.assign_mentors} optimally in {assign_s:.1f} s; targets "
        f"{'met' if ok else 'MISSED'} on {os.cpu_count()} cores at load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
