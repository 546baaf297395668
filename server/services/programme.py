"""The programme view for admins: how the whole programme is doing over a date range, computed
by the database (aggregates, not rows), with each table also as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.base import utcnow
from models.goals import RATING_THRESHOLD, Goal, GoalStatus, SessionFeedback
from models.mentorships import Mentorship, MentorshipStatus
from models.no_shows import NoShow
from models.sessions import MentoringSession
from models.users import User

AT_RISK_AFTER = timedelta(days=30)
TABLES = ("summary", "weeks", "at_risk", "requests")


@dataclass(frozen=True)
class Programme:
    """Every figure and table on the programme page."""

    starts_on: date
    ends_on: date
    summary: dict[str, Any]
    weeks: list[dict[str, Any]]
    at_risk: list[dict[str, Any]]
    requests: list[dict[str, Any]]

    def json(self) -> dict[str, Any]:
        """As the API sends it."""
        return {
            "from": self.starts_on.isoformat(),
            "to": self.ends_on.isoformat(),
            "summary": self.summary,
            "weeks": self.weeks,
            "at_risk": self.at_risk,
            "requests": self.requests,
        }


def _week_of(db: AsyncSession, column: Any) -> ColumnElement[Any]:
    """The Monday of a timestamp's week, as the database computes it."""
    if db.get_bind().dialect.name == "postgresql":
        return func.date_trunc("week", func.timezone("UTC", column))
    return func.date(column, "-6 days", "weekday 1")


def _day(value: Any) -> str:
    """A week's Monday as YYYY-MM-DD, whether the database gave text or a timestamp."""
    return value[:10] if isinstance(value, str) else str(value.date().isoformat())


def _mentorship_session_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(
        MentoringSession.mentorship_id.is_not(None),
        MentoringSession.cancelled_at.is_(None),
        MentoringSession.starts_at >= start,
        MentoringSession.starts_at < end,
    )


async def programme(db: AsyncSession, starts_on: date, ends_on: date) -> Programme:
    """The programme's figures for the days `starts_on` to `ends_on` (both included)."""
    start = datetime.combine(starts_on, time(), UTC)
    end = min(datetime.combine(ends_on + timedelta(days=1), time(), UTC), utcnow())
    in_range = _mentorship_session_in(start, end)
    week = _week_of(db, MentoringSession.starts_at).label("week")
    missed_ids = (
        select(NoShow.session_id).where(NoShow.is_corrected.is_(False)).distinct().subquery()
    )
    rows = await db.execute(
        select(week, func.count(), func.count(missed_ids.c.session_id))
        .outerjoin(missed_ids, missed_ids.c.session_id == MentoringSession.id)
        .where(in_range)
        .group_by(week)
        .order_by(week)
    )
    counts = [(_day(w), int(total) - int(m), int(m)) for w, total, m in rows]
    weeks: list[dict[str, Any]] = [
        {"week": w, "sessions_held": h, "no_shows": m} for w, h, m in counts
    ]
    held = sum(h for _, h, _ in counts)
    missed = sum(m for _, _, m in counts)
    active = await db.execute(
        select(func.count()).where(
            Mentorship.status.in_([MentorshipStatus.ACTIVE, MentorshipStatus.ENDED]),
            Mentorship.started_at < end,
            or_(Mentorship.ended_at.is_(None), Mentorship.ended_at >= start),
        )
    )
    rating = (
        await db.execute(
            select(func.count(), func.avg(SessionFeedback.rating)).where(
                SessionFeedback.created_at >= start, SessionFeedback.created_at < end
            )
        )
    ).one()
    achieved = await db.execute(
        select(func.count()).where(
            Goal.status == GoalStatus.ACHIEVED, Goal.achieved_at >= start, Goal.achieved_at < end
        )
    )
    summary = {
        "active_mentorships": int(active.scalar_one()),
        "sessions_held": held,
        "no_shows": missed,
        "no_show_rate": round(missed / (held + missed), 3) if held + missed else None,
        "ratings": int(rating[0]),
        "average_rating": (round(float(rating[1]), 2) if rating[0] >= RATING_THRESHOLD else None),
        "goals_achieved": int(achieved.scalar_one()),
    }
    return Programme(
        starts_on,
        ends_on,
        summary,
        weeks,
        await _at_risk(db, utcnow()),
        await _unanswered(db),
    )


async def _at_risk(db: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Active mentorships with no session in the last 30 days (nor one started recently)."""
    mentor, mentee = aliased(User), aliased(User)
    cutoff = now - AT_RISK_AFTER
    held = and_(
        MentoringSession.mentorship_id == Mentorship.id,
        MentoringSession.cancelled_at.is_(None),
        MentoringSession.starts_at <= now,
    )
    last = (
        select(func.max(MentoringSession.starts_at)).where(held).correlate(Mentorship)
    ).scalar_subquery()
    rows = await db.execute(
        select(Mentorship, mentor.name, mentee.name, last)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .where(
            Mentorship.status == MentorshipStatus.ACTIVE,
            Mentorship.started_at < cutoff,
            # Those who met lately, found through the start-time index in one pass.
            Mentorship.id.not_in(
                select(MentoringSession.mentorship_id).where(
                    MentoringSession.mentorship_id.is_not(None),
                    MentoringSession.cancelled_at.is_(None),
                    MentoringSession.starts_at >= cutoff,
                    MentoringSession.starts_at <= now,
                )
            ),
        )
        .order_by(Mentorship.id)
        .limit(1000)
    )
    found = [
        {
            "mentorship_id": m.id,
            "mentor_id": m.mentor_id,
            "mentor": mentor_name,
            "mentee_id": m.mentee_id,
            "mentee": mentee_name,
            "last_session": _iso(last_at),
        }
        for m, mentor_name, mentee_name, last_at in rows
    ]
    # Longest silence first: never met, then the oldest last session.
    return sorted(found, key=lambda r: (r["last_session"] is not None, r["last_session"] or ""))


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back an aggregate's timestamp as text
        return value[:10]
    return str(value.date().isoformat())


async def _unanswered(db: AsyncSession) -> list[dict[str, Any]]:
    """Requests no mentor has answered yet, oldest first."""
    mentor, mentee = aliased(User), aliased(User)
    rows = await db.execute(
        select(Mentorship, mentor.name, mentee.name)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .where(Mentorship.status == MentorshipStatus.REQUESTED)
        .order_by(Mentorship.created_at, Mentorship.id)
        .limit(1000)
    )
    return [
        {
            "mentorship_id": m.id,
            "mentor": mentor_name,
            "mentee": mentee_name,
            "asked_on": m.created_at.date().isoformat(),
        }
        for m, mentor_name, mentee_name in rows
    ]


def programme_csv(found: Programme, table: str) -> str:
    """One of the page's tables as CSV (a spreadsheet cell never starts a formula)."""
    rows: list[dict[str, Any]] = [found.summary] if table == "summary" else getattr(found, table)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
