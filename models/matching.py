"""How well a mentor suits a mentee: a score from seven parts, each explained in words.

Pure and vectorised: a `MentorIndex` holds every mentor as arrays once, and ranking one mentee
against all of them is a handful of numpy and sparse products (see docs/matching.md).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from models.geo import distance_band, haversine_km_array
from models.skills import canonical_skills, fold, words
from models.waking_hours import shared_hours, utc_offset_slots, waking_length_hours

# Points out of 100 for each part; docs/matching.md explains each one.
WEIGHTS: dict[str, float] = {
    "skills": 30.0,
    "goals": 25.0,
    "industry": 10.0,
    "languages": 10.0,
    "hours": 10.0,
    "capacity": 10.0,
    "in_person": 5.0,
}
FULL_SKILLS = 3  # this many shared skills (or all of the mentee's, if fewer) earn every point
FULL_PLACES = 3  # this many open places earn every capacity point

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Person:
    """What matching knows of someone; `lat`/`lon` are None unless they are open to meetups."""

    id: int
    name: str = ""
    headline: str = ""
    about: str = ""  # a mentor's bio, a mentee's goals
    skills: Sequence[str] = ()
    industry: str = ""
    languages: Sequence[str] = ()
    timezone: str = "UTC"
    open_places: int = 0
    lat: float | None = None
    lon: float | None = None
    max_travel_km: float = 0.0

    def text(self) -> str:
        """What the goals comparison reads."""
        return " ".join([self.headline, self.about, *self.skills])


@dataclass
class Match:
    """One mentor for one mentee: the score out of 100, its parts, and why in words."""

    mentor_id: int
    score: float
    parts: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    top: bool = False  # a top suggestion, holding one of the mentor's places for the mentee


# English stop words, plus words every mentoring goal contains and so say nothing.
_STOP = ENGLISH_STOP_WORDS | {"want", "like", "help", "better", "learn", "learning", "years"}


def _analyzer(text: str) -> list[str]:
    return [w for w in words(text) if len(w) > 2 and w not in _STOP]


class MentorIndex:
    """Every mentor as parallel arrays, built once and ranked against many times."""

    def __init__(self, mentors: Sequence[Person], at: datetime) -> None:
        self.mentors = list(mentors)
        self.at = at
        n = len(self.mentors)
        self.ids = np.array([m.id for m in self.mentors], dtype=np.int64)
        self.position = {m.id: i for i, m in enumerate(self.mentors)}
        self.skills = [canonical_skills(m.skills) for m in self.mentors]
        self.skill_columns, self.skill_matrix = _binary_matrix([s.keys() for s in self.skills])
        self.languages = [{fold(x): x for x in m.languages if x.strip()} for m in self.mentors]
        self.language_columns, self.language_matrix = _binary_matrix(
            [s.keys() for s in self.languages]
        )
        industries = [fold(m.industry) for m in self.mentors]
        self.industry_codes = {name: i for i, name in enumerate(sorted(set(industries)))}
        self.industry = np.array([self.industry_codes[x] for x in industries], dtype=np.int64)
        self.industry_known = np.array([bool(x) for x in industries], dtype=bool)
        zones = {m.timezone for m in self.mentors}
        offset_of = {zone: utc_offset_slots(zone, at) for zone in zones}
        self.offsets = np.array([offset_of[m.timezone] for m in self.mentors], dtype=np.int64)
        # Few distinct offsets: hours are computed per offset, then gathered per mentor.
        self.distinct_offsets, self.offset_slot = np.unique(self.offsets, return_inverse=True)
        self.open_places = np.array([m.open_places for m in self.mentors], dtype=np.int64)
        self.lats = np.array([np.nan if m.lat is None else m.lat for m in self.mentors])
        self.lons = np.array([np.nan if m.lon is None else m.lon for m in self.mentors])
        self.reach = np.array([m.max_travel_km for m in self.mentors], dtype=np.float64)
        self._last_query: tuple[str, sparse.csr_matrix] | None = None
        self.vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True)
        texts = [m.text() for m in self.mentors]
        if n and any(_analyzer(t) for t in texts):
            self.text_matrix: sparse.csr_matrix = self.vectorizer.fit_transform(texts).tocsr()
            self.terms = self.vectorizer.get_feature_names_out()
        else:
            self.text_matrix = sparse.csr_matrix((n, 0))
            self.terms = np.array([], dtype=object)

    def __len__(self) -> int:
        return len(self.mentors)

    def with_open_places(self, open_places: NDArray[np.int64]) -> MentorIndex:
        """The same index with today's open places (they change far more often than profiles)."""
        fresh = copy.copy(self)
        fresh.open_places = open_places
        return fresh

    def parts(self, mentee: Person) -> dict[str, FloatArray]:
        """Each part of every mentor's score for `mentee`, between 0 and 1."""
        n = len(self)
        wanted = canonical_skills(mentee.skills)
        shared = _hits(self.skill_matrix, self.skill_columns, wanted.keys(), n)
        skills = np.minimum(1.0, shared / max(1, min(FULL_SKILLS, len(wanted))))
        spoken = {fold(x) for x in mentee.languages if x.strip()}
        languages = np.minimum(1.0, _hits(self.language_matrix, self.language_columns, spoken, n))
        code = self.industry_codes.get(fold(mentee.industry), -1) if mentee.industry else -1
        industry = ((self.industry == code) & self.industry_known).astype(np.float64)
        return {
            "skills": skills,
            "goals": self._goals(mentee),
            "industry": industry,
            "languages": languages,
            "hours": self._hours(mentee),
            "capacity": np.minimum(1.0, np.maximum(0, self.open_places) / FULL_PLACES),
            "in_person": self._in_person(mentee).astype(np.float64),
        }

    def scores(self, mentee: Person) -> FloatArray:
        """Every mentor's score for `mentee`, out of 100."""
        return _weighted(self.parts(mentee))

    def score_matrix(self, mentees: Sequence[Person]) -> FloatArray:
        """Scores (mentees x mentors) for many mentees at once: `scores` row by row, batched."""
        m, n = len(mentees), len(self)
        if m == 0 or n == 0:
            return np.zeros((m, n))
        wanted = [canonical_skills(p.skills) for p in mentees]
        _, mine = _binary_matrix([w.keys() for w in wanted], self.skill_columns)
        shared = (mine.tocsr() @ self.skill_matrix.T).toarray()
        full = np.array([max(1, min(FULL_SKILLS, len(w))) for w in wanted], dtype=np.float64)
        total = WEIGHTS["skills"] * np.minimum(1.0, shared / full[:, None])
        if self.text_matrix.shape[1]:
            queries = self.vectorizer.transform([p.text() for p in mentees])
            total += WEIGHTS["goals"] * (queries @ self.text_matrix.T).toarray()
        codes = np.array([self.industry_codes.get(fold(p.industry), -1) for p in mentees])
        total += WEIGHTS["industry"] * (
            (codes[:, None] == self.industry[None, :]) & self.industry_known[None, :]
        )
        spoken = [{fold(x) for x in p.languages if x.strip()} for p in mentees]
        _, languages = _binary_matrix(spoken, self.language_columns)
        total += WEIGHTS["languages"] * ((languages.tocsr() @ self.language_matrix.T).toarray() > 0)
        offsets = np.array([utc_offset_slots(p.timezone, self.at) for p in mentees])
        for offset in np.unique(offsets):
            total[offsets == offset] += WEIGHTS["hours"] * self._hours_from(int(offset))
        places = np.minimum(1.0, np.maximum(0, self.open_places) / FULL_PLACES)
        total += WEIGHTS["capacity"] * places[None, :]
        for row, mentee in enumerate(mentees):
            if mentee.lat is not None:
                total[row] += WEIGHTS["in_person"] * self._in_person(mentee)
        return total

    def rank(
        self,
        mentee: Person,
        *,
        k: int = 5,
        allowed: NDArray[np.bool_] | None = None,
    ) -> list[Match]:
        """The k best mentors for `mentee` among `allowed` (default: all but themselves)."""
        parts = self.parts(mentee)
        total = _weighted(parts)
        keep = np.ones(len(self), dtype=bool) if allowed is None else allowed.copy()
        keep &= self.ids != mentee.id
        candidates = np.flatnonzero(keep)
        if len(candidates) > k:
            top = np.argpartition(-total[candidates], k - 1)[:k]
            candidates = candidates[top]
        # Ties go to the lower id, so the order never flickers between requests.
        order = sorted(candidates.tolist(), key=lambda i: (-float(total[i]), int(self.ids[i])))
        return [self.explain(mentee, i, parts, float(total[i])) for i in order[:k]]

    def explain(self, mentee: Person, i: int, parts: dict[str, FloatArray], total: float) -> Match:
        """The match with mentor at position `i`, and its reasons in words."""
        mentor = self.mentors[i]
        reasons: list[str] = []
        wanted = canonical_skills(mentee.skills)
        common = [self.skills[i][key] for key in wanted if key in self.skills[i]]
        if common:
            label = "shared skill" if len(common) == 1 else "shared skills"
            reasons.append(f"{len(common)} {label}: {', '.join(common)}")
        if parts["goals"][i] > 0:
            terms = self._common_terms(mentee, i)
            if terms:
                reasons.append(f"your goals and their experience meet on {', '.join(terms)}")
        if parts["industry"][i] > 0:
            reasons.append(f"same industry: {mentor.industry.strip()}")
        spoken = {fold(x) for x in mentee.languages}
        both = [name for key, name in self.languages[i].items() if key in spoken]
        if both:
            reasons.append(f"you both speak {', '.join(both)}")
        waking, evening = shared_hours(utc_offset_slots(mentee.timezone, self.at), self.offsets[i])
        if evening:
            reasons.append(f"{_hours(evening)} of overlapping evenings")
        elif waking:
            reasons.append(f"{_hours(waking)} of overlapping waking hours")
        else:
            reasons.append("no overlapping waking hours")
        places = int(self.open_places[i])
        if places > 0:
            reasons.append(f"{places} open place{'s' if places != 1 else ''}")
        band = self.in_person_band(mentee, i)
        if band is not None:
            reasons.append(f"can meet in person, {band}")
        rounded = {name: round(float(value[i]), 3) for name, value in parts.items()}
        return Match(int(self.ids[i]), round(total, 1), rounded, reasons)

    def _goals(self, mentee: Person) -> FloatArray:
        """Cosine similarity of TF-IDF vectors: the mentee's goals against each mentor's text."""
        if self.text_matrix.shape[1] == 0:
            return np.zeros(len(self))
        query = self._query(mentee).toarray().ravel()
        return np.asarray(self.text_matrix @ query, dtype=np.float64)

    def _query(self, mentee: Person) -> sparse.csr_matrix:
        """The mentee's TF-IDF vector; the last one is kept, as ranking asks for it k + 1 times."""
        text = mentee.text()
        if self._last_query is None or self._last_query[0] != text:
            self._last_query = (text, self.vectorizer.transform([text]))
        return self._last_query[1]

    def _common_terms(self, mentee: Person, i: int, count: int = 3) -> list[str]:
        query = self._query(mentee)
        weights = self.text_matrix[i].multiply(query).tocoo()
        order = np.argsort(-weights.data)[:count]
        return [str(self.terms[weights.col[j]]) for j in order]

    def _hours(self, mentee: Person) -> FloatArray:
        """Shared waking hours over the most two people can share, per mentor."""
        return self._hours_from(utc_offset_slots(mentee.timezone, self.at))

    def _hours_from(self, mine: int) -> FloatArray:
        per_offset = np.array(
            [shared_hours(mine, int(offset))[0] for offset in self.distinct_offsets]
        )
        return np.asarray(per_offset[self.offset_slot] / waking_length_hours(), dtype=np.float64)

    def _in_person(self, mentee: Person) -> NDArray[np.bool_]:
        """Whether both are open to meetups and within both their travel distances."""
        if mentee.lat is None or mentee.lon is None:
            return np.zeros(len(self), dtype=bool)
        known = ~np.isnan(self.lats)
        km = np.full(len(self), np.inf)
        km[known] = haversine_km_array(mentee.lat, mentee.lon, self.lats[known], self.lons[known])
        return np.asarray(km <= np.minimum(self.reach, mentee.max_travel_km))

    def in_person_band(self, mentee: Person, i: int) -> str | None:
        """The distance band to mentor `i` if the two could meet in person, else None."""
        if mentee.lat is None or mentee.lon is None or np.isnan(self.lats[i]):
            return None
        km = float(haversine_km_array(mentee.lat, mentee.lon, self.lats[i], self.lons[i]))
        if km > min(float(self.reach[i]), mentee.max_travel_km):
            return None
        return distance_band(km).value


def _weighted(parts: dict[str, FloatArray]) -> FloatArray:
    """The score out of 100: each part times its weight."""
    total = np.zeros_like(parts["skills"])
    for name, weight in WEIGHTS.items():
        total += weight * parts[name]
    return total


def _hours(value: float) -> str:
    return f"{value:g} h"


def _binary_matrix(
    rows: Sequence[Iterable[str]], known: dict[str, int] | None = None
) -> tuple[dict[str, int], sparse.csc_matrix]:
    """A 0/1 matrix (people x values) from each person's set of values, and the column names;
    with `known` columns, values outside them are left out."""
    columns: dict[str, int] = dict(known) if known is not None else {}
    indices: list[int] = []
    indptr = [0]
    for row in rows:
        for value in row:
            if known is None:
                indices.append(columns.setdefault(value, len(columns)))
            elif value in columns:
                indices.append(columns[value])
        indptr.append(len(indices))
    data = np.ones(len(indices))
    shape = (len(rows), max(1, len(columns)))
    return columns, sparse.csr_matrix((data, indices, indptr), shape=shape).tocsc()


def _hits(
    matrix: sparse.csc_matrix, columns: dict[str, int], wanted: Iterable[str], n: int
) -> FloatArray:
    """How many of `wanted` each row holds."""
    cols = [columns[w] for w in wanted if w in columns]
    if not cols:
        return np.zeros(n)
    return np.asarray(matrix[:, cols].sum(axis=1)).ravel().astype(np.float64)
