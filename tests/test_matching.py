"""Match scores and their reasons, on a hand-made set where the right order is obvious."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from models.matching import WEIGHTS, MentorIndex, Person
from models.mentor_search import MentorSearch, Searchable
from models.skills import canonical_skill, fold, words
from models.waking_hours import shared_hours, utc_offset_slots

AT = datetime(2026, 1, 15, 12, tzinfo=UTC)  # winter: Berlin +1, New York -5, Tokyo +9
BERLIN = (52.52, 13.40)
POTSDAM = (52.40, 13.05)  # ~27 km from Berlin
TOKYO = (35.68, 139.69)

MENTEE = Person(
    id=100,
    skills=["JS", "hiring", "Public Speaking"],
    about="I want to grow into an engineering manager and get better at hiring and interviews.",
    industry="Fintech",
    languages=["German", "English"],
    timezone="Europe/Berlin",
    lat=BERLIN[0],
    lon=BERLIN[1],
    max_travel_km=50,
)

BEST = Person(
    id=1,
    name="Ada",
    headline="Engineering manager",
    about="I have led engineering teams for ten years; hiring, interviews and growing managers.",
    skills=["JavaScript", "Hiring", "public speaking"],
    industry="fintech",
    languages=["Deutsch", "English"],
    timezone="Europe/Paris",
    open_places=3,
    lat=POTSDAM[0],
    lon=POTSDAM[1],
    max_travel_km=40,
)
MIDDLE = Person(
    id=2,
    name="Bo",
    headline="Frontend developer",
    about="React and JavaScript, design systems.",
    skills=["javascript", "React"],
    industry="e-commerce",
    languages=["English"],
    timezone="America/New_York",
    open_places=1,
)
WORST = Person(
    id=3,
    name="Cy",
    headline="Chemist",
    about="Organic chemistry lab work.",
    skills=["chemistry"],
    industry="pharma",
    languages=["Japanese"],
    timezone="Asia/Tokyo",
    open_places=0,
    lat=TOKYO[0],
    lon=TOKYO[1],
    max_travel_km=1000,
)


def _index() -> MentorIndex:
    return MentorIndex([WORST, MIDDLE, BEST], AT)


def test_synonyms_accents_and_case_fold_to_one_form() -> None:
    assert canonical_skill("JS") == canonical_skill("javascript") == "javascript"
    assert canonical_skill(" K8s ") == "kubernetes"
    assert fold("José  Núñez") == "jose nunez"
    assert words("Node.js and Golang!") == ["node.js", "and", "go"]


def test_waking_hours_count_half_hour_zones() -> None:
    berlin, kolkata = utc_offset_slots("Europe/Berlin", AT), utc_offset_slots("Asia/Kolkata", AT)
    assert (berlin, kolkata) == (2, 11)
    assert shared_hours(berlin, berlin) == (14.0, 4.0)
    waking, evening = shared_hours(berlin, kolkata)
    assert waking == 14 - 4.5 and evening == 0
    # +14: the zones wrap round, so an hour of Berlin's morning and three of its evening remain.
    assert shared_hours(berlin, utc_offset_slots("Pacific/Kiritimati", AT)) == (4.0, 0.0)


def test_obvious_order_and_reasons() -> None:
    matches = _index().rank(MENTEE, k=3)
    assert [m.mentor_id for m in matches] == [1, 2, 3]
    best = matches[0]
    assert best.score > 80
    assert best.reasons[0] == "3 shared skills: JavaScript, Hiring, public speaking"
    assert any(r.startswith("your goals and their experience meet on") for r in best.reasons)
    assert "hiring" in next(r for r in best.reasons if r.startswith("your goals"))
    assert "same industry: fintech" in best.reasons
    assert "you both speak English" in best.reasons  # "Deutsch" is not "German": no guessing
    assert "4 h of overlapping evenings" in best.reasons
    assert "3 open places" in best.reasons
    assert "can meet in person, 25-100 km" in best.reasons
    middle = matches[1]
    assert middle.reasons[0] == "1 shared skill: javascript"
    assert not any("in person" in r for r in middle.reasons)
    worst = matches[2]
    assert worst.score < 5
    assert not any("open place" in r for r in worst.reasons)


def test_each_part_moves_the_score_by_its_weight() -> None:
    index = MentorIndex([BEST], AT)
    full = index.rank(MENTEE, k=1)[0]
    assert full.parts["skills"] == 1.0 and full.parts["in_person"] == 1.0
    far_away = Person(**{**MENTEE.__dict__, "lat": None, "lon": None})
    without = index.rank(far_away, k=1)[0]
    assert without.parts["in_person"] == 0.0
    assert round(full.score - without.score, 1) == WEIGHTS["in_person"]


def test_opted_out_mentor_is_never_in_person() -> None:
    opted_out = Person(**{**BEST.__dict__, "id": 9, "lat": None, "lon": None})
    index = MentorIndex([opted_out], AT)
    match = index.rank(MENTEE, k=1)[0]
    assert match.parts["in_person"] == 0.0
    assert index.in_person_band(MENTEE, 0) is None
    assert not any("in person" in r for r in match.reasons)


def test_allowed_mask_and_self_are_excluded() -> None:
    index = _index()
    allowed = index.open_places > 0
    assert [m.mentor_id for m in index.rank(MENTEE, k=5, allowed=allowed)] == [1, 2]
    me = Person(**{**MENTEE.__dict__, "id": 1})
    assert 1 not in [m.mentor_id for m in index.rank(me, k=5)]


def test_empty_index_and_empty_profiles() -> None:
    assert MentorIndex([], AT).rank(MENTEE) == []
    blank = MentorIndex([Person(id=5)], AT)
    match = blank.rank(Person(id=6), k=1)[0]
    assert match.score == WEIGHTS["hours"]  # both in UTC: every waking hour shared


def test_search_forgives_typos_accents_and_synonyms() -> None:
    mentors = [
        Searchable("José Núñez", "Staff engineer", "Backend in Python and Go.", ["Python"]),
        Searchable("Ada Lovelace", "Engineering manager", "Hiring and growing teams.", ["JS"]),
        Searchable("Bo Chen", "Designer", "Design systems, accessibility.", ["Figma"]),
    ]
    search = MentorSearch(mentors)

    def names(query: str) -> list[str]:
        return [mentors[i].name for i in search.search(query)[0]]

    assert names("Pyhton") == ["José Núñez"]  # a transposition
    assert names("jose nunez") == ["José Núñez"]  # accents
    assert names("javascript") == ["Ada Lovelace"]  # "JS" is JavaScript
    assert names("golang") == ["José Núñez"]  # and "golang" is Go
    assert names("acessibility") == ["Bo Chen"]  # a missing letter
    assert names("desig") == ["Bo Chen"]  # a word still being typed
    assert names("hiring python") == []  # every word must match
    assert names("the") == []
    assert sorted(names("")) == sorted(m.name for m in mentors)
    assert MentorSearch([]).search("x")[0].tolist() == []


def test_score_matrix_agrees_with_one_at_a_time() -> None:
    index = _index()
    others = [
        MENTEE,
        Person(id=7, skills=["Chemistry"], languages=["Japanese"], timezone="Asia/Tokyo"),
        Person(id=8),
    ]
    batch = index.score_matrix(others)
    for row, mentee in enumerate(others):
        assert np.allclose(batch[row], index.scores(mentee))
    assert index.score_matrix([]).shape == (0, 3)
