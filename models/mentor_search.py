"""The mentor directory's search: forgiving of typos, accents and synonyms, fast at 10,000.

Every query word must match something in a mentor's name, headline, bio or skills: the word
itself (after folding accents and synonyms), a longer word it starts, or a word one typo away.
One typo is found with a symmetric-delete index (the SymSpell idea): a word and its one-letter
deletions point at the vocabulary words sharing any of them, so a lookup is a few dict hits.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from models.skills import words

EXACT, PREFIX, TYPO = 1.0, 0.7, 0.5  # how much a match of each kind counts
MAX_PREFIX_WORDS = 50
MIN_TYPO_LENGTH = 4  # shorter words have too many neighbours one letter away


@dataclass(frozen=True)
class Searchable:
    """What the directory search reads of a mentor."""

    name: str
    headline: str
    bio: str
    skills: Sequence[str]

    def words(self) -> list[str]:
        """The mentor's words; the name twice, since people mostly search for names."""
        return words(" ".join([self.name, self.name, self.headline, self.bio, *self.skills]))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _identity(doc: list[str]) -> list[str]:
    return doc


class MentorSearch:
    """A TF-IDF matrix over mentors' words plus the indexes that make typos cheap to find."""

    def __init__(self, mentors: Sequence[Searchable]) -> None:
        docs = [m.words() for m in mentors]
        self.size = len(docs)
        if any(docs):
            vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
            matrix = vectorizer.fit_transform(docs)
            self.vocabulary: dict[str, int] = {
                str(w): int(i) for w, i in vectorizer.vocabulary_.items()
            }
        else:
            matrix = sparse.csr_matrix((self.size, 0))
            self.vocabulary = {}
        self.matrix = sparse.csc_matrix(matrix)
        self.sorted_words = sorted(self.vocabulary)
        self.near: dict[str, list[str]] = {}
        for word in self.sorted_words:
            if len(word) >= MIN_TYPO_LENGTH:
                for key in _deletions(word) | {word}:
                    self.near.setdefault(key, []).append(word)

    def _columns(self, word: str) -> dict[int, float]:
        """Vocabulary columns a query word matches, with how much each match counts."""
        found: dict[int, float] = {}
        if len(word) >= 3:
            start = bisect.bisect_left(self.sorted_words, word)
            for other in self.sorted_words[start : start + MAX_PREFIX_WORDS]:
                if not other.startswith(word):
                    break
                found[self.vocabulary[other]] = PREFIX
        if len(word) >= MIN_TYPO_LENGTH:
            for key in _deletions(word) | {word}:
                for other in self.near.get(key, ()):
                    found.setdefault(self.vocabulary[other], TYPO)
        if word in self.vocabulary:
            found[self.vocabulary[word]] = EXACT
        return found

    def search(self, query: str) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """(positions of matching mentors, relevance), most relevant first; all on no words."""
        terms = list(dict.fromkeys(words(query)))
        meaningful = [t for t in terms if t not in ENGLISH_STOP_WORDS] or terms
        if not meaningful:
            return np.arange(self.size), np.zeros(self.size)
        keep = np.ones(self.size, dtype=bool)
        relevance = np.zeros(self.size)
        for term in meaningful:
            columns = self._columns(term)
            if not columns:
                return np.array([], dtype=np.intp), np.array([])
            cols = list(columns)
            part = self.matrix[:, cols]
            keep &= part.getnnz(axis=1) > 0
            relevance += part @ np.array([columns[c] for c in cols])
        found = np.flatnonzero(keep)
        order = np.argsort(-relevance[found], kind="stable")
        return found[order], relevance[found[order]]
