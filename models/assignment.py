"""Programme-wide matching: each mentee to at most one mentor, each mentor within capacity.

The optimum comes from the Hungarian method (scipy's `linear_sum_assignment`) on columns
expanded by capacity: a mentor with four places is four identical columns. Greedy is kept
only as the yardstick the admin sees beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True)
class Assignment:
    """Pairs of (mentee row, mentor column) and the sum of their scores."""

    pairs: list[tuple[int, int]]
    total: float


def _checked(
    scores: ArrayLike, capacities: ArrayLike, allowed: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Scores with disallowed pairs at zero, and capacities; both validated."""
    matrix = np.array(scores, dtype=np.float64, ndmin=2)
    places = np.asarray(capacities, dtype=np.int64).ravel()
    if matrix.shape[1] != len(places):
        raise ValueError("one capacity per mentor column is needed")
    if (places < 0).any() or (matrix < 0).any() or not np.isfinite(matrix).all():
        raise ValueError("scores and capacities must be finite and not negative")
    if allowed is not None:
        matrix = np.where(np.asarray(allowed, dtype=bool), matrix, 0.0)
    return matrix, places


def optimal_assignment(
    scores: ArrayLike, capacities: ArrayLike, allowed: ArrayLike | None = None
) -> Assignment:
    """The assignment with the largest total score; pairs scoring 0 are left out.

    Scores are never negative, so a disallowed pair scored 0 and then dropped changes nothing:
    any assignment without it is just as good.
    """
    matrix, places = _checked(scores, capacities, allowed)
    rows = matrix.shape[0]
    # A mentor never needs more copies than there are mentees.
    columns = np.repeat(np.arange(len(places)), np.minimum(places, rows))
    if rows == 0 or len(columns) == 0:
        return Assignment([], 0.0)
    chosen_rows, chosen_copies = linear_sum_assignment(matrix[:, columns], maximize=True)
    pairs = [
        (int(r), int(columns[c]))
        for r, c in zip(chosen_rows, chosen_copies, strict=True)
        if matrix[r, columns[c]] > 0
    ]
    pairs.sort()
    return Assignment(pairs, float(sum(matrix[r, c] for r, c in pairs)))


def greedy_assignment(
    scores: ArrayLike, capacities: ArrayLike, allowed: ArrayLike | None = None
) -> Assignment:
    """Best pair first while places last: what a person matching by hand would do."""
    matrix, places = _checked(scores, capacities, allowed)
    left = places.copy()
    taken = np.zeros(matrix.shape[0], dtype=bool)
    flat = np.argsort(-matrix, axis=None, kind="stable")
    pairs: list[tuple[int, int]] = []
    for r, c in zip(*np.unravel_index(flat, matrix.shape), strict=True):
        if matrix[r, c] <= 0:
            break
        if not taken[r] and left[c] > 0:
            taken[r] = True
            left[c] -= 1
            pairs.append((int(r), int(c)))
    pairs.sort()
    return Assignment(pairs, float(sum(matrix[r, c] for r, c in pairs)))
