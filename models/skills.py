"""Words people type for the same thing: one canonical form, so "JS" meets "JavaScript"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Spellings -> canonical skill. Keys and values are already folded (see `fold`).
SYNONYMS: dict[str, str] = {
    "js": "javascript",
    "ecmascript": "javascript",
    "ts": "typescript",
    "py": "python",
    "python3": "python",
    "golang": "go",
    "node": "node.js",
    "nodejs": "node.js",
    "react.js": "react",
    "reactjs": "react",
    "k8s": "kubernetes",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "ux": "user experience",
    "ui": "user interface",
    "pm": "product management",
    "product manager": "product management",
    "postgres": "postgresql",
    "psql": "postgresql",
    "c sharp": "c#",
    "csharp": "c#",
    "cpp": "c++",
    "public-speaking": "public speaking",
    "speaking": "public speaking",
    "recruiting": "hiring",
    "interviewing": "hiring",
    "leadership": "leading teams",
    "management": "leading teams",
    "devops": "operations",
    "sre": "operations",
}

_SPACES = re.compile(r"\s+")
# Combining marks: what NFKD splits off "é", "ñ" or "ö" (the diacritics blocks).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[\w#+.]+")


def fold(text: str) -> str:
    """Lower case, accents stripped, spaces collapsed: "  Café  Owner" -> "cafe owner"."""
    return _SPACES.sub(" ", _unaccented(text).casefold()).strip()


def _unaccented(text: str) -> str:
    return text if text.isascii() else _MARKS.sub("", unicodedata.normalize("NFKD", text))


def canonical_skill(skill: str) -> str:
    """The one form of a skill that comparisons use."""
    folded = fold(skill).strip(" .,;")
    return SYNONYMS.get(folded, folded)


def canonical_skills(skills: Iterable[str]) -> dict[str, str]:
    """Canonical form -> the spelling the person used first, for skills that are not empty."""
    found: dict[str, str] = {}
    for skill in skills:
        key = canonical_skill(skill)
        if key:
            found.setdefault(key, skill.strip())
    return found


def words(text: str) -> list[str]:
    """Folded words of a text, each also replaced by its synonym where it has one."""
    found = _WORD.findall(_unaccented(text).casefold())
    return [SYNONYMS.get(w, w) for word in found if (w := word.strip("."))]
