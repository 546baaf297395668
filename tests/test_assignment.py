"""Programme-wide matching is optimal, keeps every capacity, and never loses to greedy."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from models.assignment import greedy_assignment, optimal_assignment


def _brute_force(scores: np.ndarray, capacities: np.ndarray, allowed: np.ndarray) -> float:
    """The best total over every way to give each mentee one mentor or none."""
    m, n = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, n), repeat=m):
        used = Counter(c for c in choice if c >= 0)
        if any(used[c] > capacities[c] for c in used):
            continue
        if any(c >= 0 and not allowed[r, c] for r, c in enumerate(choice)):
            continue
        best = max(best, sum(scores[r, c] for r, c in enumerate(choice) if c >= 0))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_optimal_on_random_instances_small_enough_to_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    scores = np.round(rng.random((m, n)) * 100, 1)
    scores[rng.random((m, n)) < 0.2] = 0.0  # some pairs that are worth nothing
    capacities = rng.integers(0, 3, size=n)
    allowed = rng.random((m, n)) > 0.15
    optimal = optimal_assignment(scores, capacities, allowed)
    greedy = greedy_assignment(scores, capacities, allowed)
    assert optimal.total == pytest.approx(_brute_force(scores, capacities, allowed))
    assert optimal.total >= greedy.total - 1e-9
    for result in (optimal, greedy):
        mentees = [r for r, _ in result.pairs]
        assert len(mentees) == len(set(mentees))  # one mentor per mentee
        used = Counter(c for _, c in result.pairs)
        assert all(used[c] <= capacities[c] for c in used)
        assert all(allowed[r, c] and scores[r, c] > 0 for r, c in result.pairs)


def test_greedy_is_beaten_where_it_grabs_the_best_pair() -> None:
    # Greedy gives mentor 0 to mentee 0 (90) and leaves mentee 1 with nothing it likes.
    scores = np.array([[90.0, 80.0], [85.0, 0.0]])
    greedy = greedy_assignment(scores, [1, 1])
    optimal = optimal_assignment(scores, [1, 1])
    assert greedy.pairs == [(0, 0)] and greedy.total == 90
    assert optimal.pairs == [(0, 1), (1, 0)] and optimal.total == 165


def test_capacity_above_one_and_empty_inputs() -> None:
    scores = np.array([[50.0], [40.0], [30.0]])
    assert optimal_assignment(scores, [2]).pairs == [(0, 0), (1, 0)]
    assert optimal_assignment(np.zeros((0, 2)), [1, 1]).pairs == []
    assert optimal_assignment(scores, [0]).pairs == []


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        optimal_assignment([[1.0, 2.0]], [1])
    with pytest.raises(ValueError):
        optimal_assignment([[-1.0]], [1])
