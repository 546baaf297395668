"""Validated shapes of what clients send about goals, milestones, check-ins and closing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from server.schemas import Strict

GoalTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Why = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Text2000 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class MilestoneIn(Strict):
    title: GoalTitle
    due_on: date | None = None


class GoalIn(Strict):
    """A new goal; from an agenda item, its title is the default and the item is linked."""

    title: GoalTitle | None = None
    why: Why = ""
    target_on: date | None = None
    milestones: Annotated[list[MilestoneIn], Field(max_length=20)] = []
    agenda_item_id: int | None = None


class GoalPatch(Strict):
    title: GoalTitle | None = None
    why: Why | None = None
    target_on: date | None = None
    status: Literal["active", "achieved", "dropped"] | None = None


class MilestonePatch(Strict):
    """Rename, re-date, tick or untick; ticked during a session, the session is recorded."""

    title: GoalTitle | None = None
    due_on: date | None = None
    done: bool | None = None
    session_id: int | None = None


class FeedbackIn(Strict):
    rating: Annotated[int, Field(ge=1, le=5)]
    went_well: Text2000 = ""
    private_note: Text2000 = ""


class EndMentorshipIn(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
