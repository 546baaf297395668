"""The mentor directory and ranked suggestions, over a catalog rebuilt only when profiles change."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from models.matching import Match, MentorIndex, Person
from models.mentor_search import MentorSearch, Searchable
from models.mentorships import expire_stale_requests, mentors_asked_by, taken_places
from models.skills import canonical_skill, fold
from models.suggestion_holds import held_by_others, replace_holds
from models.users import Profile, User, get_profile, mentors_directory, mentors_version
from server.errors import ApiError, validate
from server.schemas import Strict

TOP = 3  # suggestions that hold one of the mentor's places (see docs/matching.md)
HOLD = timedelta(hours=24)
PAGE_SIZE = 20
Sort = Literal["best", "relevance", "name", "open"]


def person(user: User, profile: Profile, *, open_places: int = 0) -> Person:
    """Someone as matching sees them; their point only if they opted in to meetups."""
    located = profile.open_to_meetups and profile.latitude is not None
    return Person(
        id=user.id,
        name=user.name,
        headline=profile.headline,
        about=profile.bio if user.has_role("mentor") else profile.goals,
        skills=list(profile.skills),
        industry=profile.industry,
        languages=list(profile.languages),
        timezone=profile.timezone,
        open_places=open_places,
        lat=profile.latitude if located else None,
        lon=profile.longitude if located else None,
        max_travel_km=float(profile.max_travel_km),
    )


def mentee_person(user: User, profile: Profile) -> Person:
    """The mentee's side of a match: their goals, not their bio, are what a mentor should meet."""
    base = person(user, profile)
    return Person(**{**base.__dict__, "about": profile.goals})


@dataclass(frozen=True)
class Catalog:
    """Every mentor, their index for scoring and their index for searching."""

    users: list[User]
    profiles: list[Profile]
    index: MentorIndex
    search: MentorSearch


def _build(rows: Sequence[tuple[User, Profile]], now: datetime) -> Catalog:
    users = [u for u, _ in rows]
    profiles = [p for _, p in rows]
    people = [person(u, p, open_places=p.mentor_capacity) for u, p in rows]
    searchable = [Searchable(u.name, p.headline, p.bio, list(p.skills)) for u, p in rows]
    return Catalog(users, profiles, MentorIndex(people, now), MentorSearch(searchable))


@dataclass
class MentorCatalog:
    """The catalog of one app, rebuilt (in a worker thread) when a mentor's profile changed."""

    _key: object = None
    _catalog: Catalog | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def current(self, db: AsyncSession, now: datetime) -> Catalog:
        """The catalog as of the database's present state, with today's open places."""
        key = await mentors_version(db)
        async with self._lock:
            if self._catalog is None or key != self._key:
                rows = await mentors_directory(db, limit=None)
                self._catalog = await asyncio.to_thread(_build, rows, now)
                self._key = key
            catalog = self._catalog
        taken = await taken_places(db)
        places = np.array(
            [p.mentor_capacity - taken.get(p.user_id, 0) for p in catalog.profiles],
            dtype=np.int64,
        )
        return Catalog(
            catalog.users, catalog.profiles, catalog.index.with_open_places(places), catalog.search
        )


async def expire_requests(db: AsyncSession, now: datetime, expiry_hours: int) -> None:
    """Let requests nobody answered in time expire, before anything counts them."""
    await expire_stale_requests(db, now, timedelta(hours=expiry_hours))


@dataclass(frozen=True)
class DirectoryQuery:
    """What the directory was asked for (already validated)."""

    q: str = ""
    skill: str = ""
    language: str = ""
    industry: str = ""
    in_person: bool = False
    open: bool = False
    overlap: float = 0.0
    sort: Sort | None = None
    page: int = 1


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class DirectoryParams(Strict):
    """The directory's query string."""

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    skill: Text = ""
    language: Text = ""
    industry: Text = ""
    in_person: bool = False
    open: bool = False
    overlap: Annotated[float, Field(ge=0, le=14)] = 0.0
    sort: Sort | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1


def directory_query(query: Mapping[str, str]) -> DirectoryQuery:
    """The query string validated: a 422 naming each bad parameter, and rating or availability
    sorting explained rather than silently ignored."""
    raw = {key: value for key, value in query.items() if value != ""}
    if raw.get("sort") in ("rating", "availability"):
        raise ApiError(
            422,
            "sort_unavailable",
            f"Sorting by {raw['sort']} needs ratings and booking, which Tandem does not have yet.",
            fields={"sort": "Use best, relevance, name or open."},
        )
    params = validate(DirectoryParams, raw)
    return DirectoryQuery(**params.model_dump())


@dataclass
class DirectoryPage:
    """One page of mentors: (position in the catalog, match or None) and whether more follow."""

    catalog: Catalog
    rows: list[tuple[int, Match]]
    has_next: bool
    viewer: Person
    total: int


def _filters(catalog: Catalog, query: DirectoryQuery, viewer: Person) -> NDArray[np.bool_]:
    index = catalog.index
    keep = index.ids != viewer.id
    if query.skill:
        column = index.skill_columns.get(canonical_skill(query.skill))
        keep &= _has(index.skill_matrix, column, len(index))
    if query.language:
        column = index.language_columns.get(fold(query.language))
        keep &= _has(index.language_matrix, column, len(index))
    if query.industry:
        code = index.industry_codes.get(fold(query.industry), -1)
        keep &= index.industry == code
    if query.open:
        keep &= index.open_places > 0
    if query.in_person:
        if viewer.lat is None:
            raise ApiError(
                422,
                "in_person_unavailable",
                "To find mentors you can meet in person, turn on meetups and add your city "
                "in your profile.",
                fields={"in_person": "Needs meetups on and a city in your profile."},
            )
        keep &= index.parts(viewer)["in_person"] > 0
    if query.overlap:
        keep &= index.parts(viewer)["hours"] * 14 >= query.overlap
    return np.asarray(keep)


def _has(matrix: Any, column: int | None, n: int) -> NDArray[np.bool_]:
    if column is None:
        return np.zeros(n, dtype=bool)
    return np.asarray(matrix[:, column].toarray().ravel() > 0)


def directory_page(catalog: Catalog, query: DirectoryQuery, viewer: Person) -> DirectoryPage:
    """The mentors matching `query`, in the asked order, one page of them."""
    index = catalog.index
    keep = _filters(catalog, query, viewer)
    sort = query.sort or ("relevance" if query.q.strip() else "best")
    if query.q.strip():
        found = catalog.search.search(query.q)[0]  # most relevant first
        found = found[keep[found]]
    else:
        found = np.flatnonzero(keep)
    scores = index.scores(viewer)
    if sort == "best":
        found = found[np.lexsort((index.ids[found], -scores[found]))]
    elif sort == "name":
        names = [fold(catalog.users[i].name) for i in found]
        found = found[np.argsort(np.array(names, dtype=object), kind="stable")]
    elif sort == "open":
        found = found[np.lexsort((index.ids[found], -index.open_places[found]))]
    start = (query.page - 1) * PAGE_SIZE
    chosen = found[start : start + PAGE_SIZE]
    parts = index.parts(viewer)
    rows = [(int(i), index.explain(viewer, int(i), parts, float(scores[i]))) for i in chosen]
    return DirectoryPage(catalog, rows, len(found) > start + PAGE_SIZE, viewer, len(found))


async def viewer_person(db: AsyncSession, user: User) -> Person:
    """The person looking: scored as a mentee, whatever their roles."""
    return mentee_person(user, await get_profile(db, user.id))


async def suggest(
    db: AsyncSession, catalog: Catalog, mentee: User, now: datetime, *, limit: int = 6
) -> list[Match]:
    """The best mentors with an open place for `mentee`; the top ones hold a place for them."""
    if not mentee.has_role("mentee"):
        raise ApiError(403, "not_a_mentee", "Suggestions are for mentees.")
    viewer = await viewer_person(db, mentee)
    index = catalog.index
    # Not whom they already asked, even if it expired or was declined: "next" means someone else.
    already = await mentors_asked_by(db, mentee.id)
    allowed = (index.open_places > 0) & ~np.isin(index.ids, list(already))
    held = await held_by_others(db, mentee.id, now)
    free = index.open_places - np.array([held.get(int(i), 0) for i in index.ids], dtype=np.int64)
    top = index.rank(viewer, k=TOP, allowed=allowed & (free > 0))
    for match in top:
        match.top = True
    await replace_holds(db, mentee.id, [m.mentor_id for m in top], now + HOLD)
    shown = np.isin(index.ids, [m.mentor_id for m in top])
    rest = index.rank(viewer, k=max(0, limit - len(top)), allowed=allowed & ~shown)
    return top + rest
