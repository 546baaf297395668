"""Programme-wide matching for admins: the optimal assignment, and sending it as requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from models.assignment import greedy_assignment, optimal_assignment
from models.matching import Match
from models.mentorships import Mentorship, open_pairs, taken_places
from models.users import User, get_profile, people_with_role, users_by_ids
from server.errors import ApiError
from server.schemas import MentorshipIn
from server.services.matching import Catalog, mentee_person
from server.services.mentorships import request_mentorship

PROPOSAL_MESSAGE = "Proposed by your mentoring programme's matching."


def require_admin(user: User) -> None:
    """Only programme admins (granted with `tandem admin grant EMAIL`) get past this."""
    if not user.has_role("admin"):
        raise ApiError(403, "not_an_admin", "Only programme admins can run matching.")


@dataclass
class Proposal:
    """One proposed pair with its score and reasons."""

    mentee: User
    mentor: User
    match: Match


@dataclass
class ProgrammeMatching:
    """The optimal assignment, greedy's total beside it, and who stays unmatched."""

    proposals: list[Proposal]
    total: float
    greedy_total: float
    unmatched: list[User]
    mentors_considered: int


async def run(db: AsyncSession, catalog: Catalog) -> ProgrammeMatching:
    """Match every mentee without a mentor or a waiting request to mentors with open places."""
    busy = {mentee for _, mentee in await open_pairs(db)}
    rows = [(u, p) for u, p in await people_with_role(db, "mentee") if u.id not in busy]
    mentees = [mentee_person(u, p) for u, p in rows]
    index = catalog.index
    columns = np.flatnonzero(index.open_places > 0)
    scores = index.score_matrix(mentees)[:, columns]
    # Nobody mentors themselves (someone may be both a mentor and a mentee).
    allowed = np.array([m.id for m in mentees])[:, None] != index.ids[columns][None, :]
    places = index.open_places[columns]
    optimal = optimal_assignment(scores, places, allowed)
    greedy = greedy_assignment(scores, places, allowed)
    proposals = []
    for row, col in optimal.pairs:
        position = int(columns[col])
        parts = index.parts(mentees[row])
        match = index.explain(mentees[row], position, parts, float(scores[row, col]))
        proposals.append(Proposal(rows[row][0], catalog.users[position], match))
    matched = {row for row, _ in optimal.pairs}
    return ProgrammeMatching(
        proposals,
        round(optimal.total, 1),
        round(greedy.total, 1),
        [rows[i][0] for i in range(len(rows)) if i not in matched],
        len(columns),
    )


@dataclass
class Refusal:
    """A proposed pair that could not be sent, and why."""

    mentee_id: int
    mentor_id: int
    code: str
    message: str


async def send(
    db: AsyncSession, pairs: Sequence[tuple[int, int]]
) -> tuple[list[Mentorship], list[Refusal]]:
    """Send each (mentee, mentor) pair as a request, as if the mentee had asked; each pair that
    cannot be sent (already matched, no open place left, ...) is refused on its own."""
    people = await users_by_ids(db, [m for pair in pairs for m in pair])
    taken = await taken_places(db)
    sent: list[Mentorship] = []
    refused: list[Refusal] = []
    seen: set[int] = set()
    for mentee_id, mentor_id in pairs:
        mentee = people.get(mentee_id)
        if mentee is None or mentee_id in seen:
            why = "Unknown mentee." if mentee is None else "This mentee is already in this batch."
            refused.append(Refusal(mentee_id, mentor_id, "invalid_pair", why))
            continue
        seen.add(mentee_id)
        mentor = people.get(mentor_id)
        if mentor is not None and mentor.has_role("mentor"):
            capacity = (await get_profile(db, mentor_id)).mentor_capacity
            if 0 < capacity <= taken.get(mentor_id, 0):
                why = f"{mentor.name} has no open place left (requests waiting count)."
                refused.append(Refusal(mentee_id, mentor_id, "no_open_place", why))
                continue
        try:
            async with db.begin_nested():
                data = MentorshipIn(mentor_id=mentor_id, message=PROPOSAL_MESSAGE)
                sent.append(await request_mentorship(db, mentee, data))
            taken[mentor_id] = taken.get(mentor_id, 0) + 1
        except ApiError as exc:
            refused.append(Refusal(mentee_id, mentor_id, exc.code, exc.message))
    return sent, refused
