"""A mentorship's progress: one timeline of sessions, milestones, action items and reflections,
and the weekly series the chart draws from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import ActionItem
from models.base import utcnow
from models.goals import Goal, Milestone, SessionFeedback
from models.mentorships import Mentorship
from models.no_shows import NoShow
from models.sessions import MentoringSession


@dataclass(frozen=True)
class Event:
    """One dated line of the timeline."""

    at: datetime
    kind: str  # session_held, session_no_show, session_cancelled, milestone_reached,
    # action_item_opened, action_item_closed, reflection
    title: str
    session_id: int | None = None

    def json(self) -> dict[str, Any]:
        """The event as the API sends it."""
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "title": self.title,
            "session_id": self.session_id,
        }


@dataclass
class Week:
    """Running totals at the end of one week (Monday start): what the chart plots."""

    starts_on: date
    sessions_held: int
    milestones_reached: int


@dataclass
class Progress:
    """Everything the progress page and API show."""

    events: list[Event]
    totals: dict[str, int]
    weeks: list[Week] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        """The timeline as JSON."""
        return {
            "events": [e.json() for e in self.events],
            "totals": self.totals,
            "weeks": [
                {
                    "starts_on": w.starts_on.isoformat(),
                    "sessions_held": w.sessions_held,
                    "milestones_reached": w.milestones_reached,
                }
                for w in self.weeks
            ],
        }


def _session_event(session: MentoringSession, absent: bool) -> Event:
    if session.is_cancelled:
        return Event(session.starts_at, "session_cancelled", session.title, session.id)
    kind = "session_no_show" if absent else "session_held"
    return Event(session.starts_at, kind, session.title, session.id)


def _monday(day: datetime) -> date:
    return (day - timedelta(days=day.weekday())).date()


def weekly_totals(events: list[Event], until: datetime) -> list[Week]:
    """Cumulative sessions held and milestones reached per week, from the first event's week."""
    counted = [e for e in events if e.kind in ("session_held", "milestone_reached")]
    if not counted:
        return []
    week = _monday(min(e.at for e in counted))
    last = _monday(until)
    weeks: list[Week] = []
    while week <= last:
        end = week + timedelta(days=7)
        held = sum(1 for e in counted if e.kind == "session_held" and e.at.date() < end)
        reached = sum(1 for e in counted if e.kind == "milestone_reached" and e.at.date() < end)
        weeks.append(Week(week, held, reached))
        week = end
    return weeks


async def progress_of(db: AsyncSession, mentorship: Mentorship, viewer_id: int) -> Progress:
    """The mentorship's timeline as `viewer_id` sees it: their own reflections, nobody else's."""
    now = utcnow()
    sessions = (
        (
            await db.execute(
                select(MentoringSession).where(MentoringSession.mentorship_id == mentorship.id)
            )
        )
        .scalars()
        .all()
    )
    ids = [s.id for s in sessions]
    absent = set(
        (
            await db.execute(
                select(NoShow.session_id).where(
                    NoShow.session_id.in_(ids), NoShow.is_corrected.is_(False)
                )
            )
        ).scalars()
    )
    events = [
        _session_event(s, s.id in absent) for s in sessions if s.is_cancelled or s.ends_at <= now
    ]
    milestones = await db.execute(
        select(Milestone)
        .join(Goal, Goal.id == Milestone.goal_id)
        .where(Goal.mentorship_id == mentorship.id, Milestone.done_at.is_not(None))
    )
    for m in milestones.scalars():
        assert m.done_at is not None
        events.append(Event(m.done_at, "milestone_reached", m.title, m.done_in_session_id))
    actions = await db.execute(select(ActionItem).where(ActionItem.session_id.in_(ids)))
    for a in actions.scalars():
        events.append(Event(a.created_at, "action_item_opened", a.title, a.session_id))
        if a.done and a.done_at is not None:
            events.append(Event(a.done_at, "action_item_closed", a.title, a.session_id))
    mine = await db.execute(
        select(SessionFeedback).where(
            SessionFeedback.session_id.in_(ids),
            SessionFeedback.user_id == viewer_id,
            SessionFeedback.went_well != "",
        )
    )
    for f in mine.scalars():
        events.append(Event(f.created_at, "reflection", f.went_well, f.session_id))
    events.sort(key=lambda e: (e.at, e.kind))
    totals = {
        kind: sum(1 for e in events if e.kind == kind)
        for kind in (
            "session_held",
            "session_no_show",
            "session_cancelled",
            "milestone_reached",
            "action_item_opened",
            "action_item_closed",
            "reflection",
        )
    }
    return Progress(events, totals, weekly_totals(events, now))
