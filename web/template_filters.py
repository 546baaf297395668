"""Jinja filters: times shown in the viewer's zone, durations in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def in_zone(value: datetime, zone: str | None) -> datetime:
    """`value` converted to the IANA zone `zone` (UTC when unknown)."""
    try:
        return value.astimezone(ZoneInfo(zone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return value.astimezone(ZoneInfo("UTC"))


def when(value: datetime, zone: str | None = None) -> str:
    """A readable date and time in the viewer's zone, with the zone's abbreviation."""
    local = in_zone(value, zone)
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or "")


def input_minute(value: datetime, zone: str | None = None) -> str:
    """`value` as a `datetime-local` input's value in the viewer's zone (e.g. for its `min`)."""
    return in_zone(value, zone).strftime("%Y-%m-%dT%H:%M")


def input_day(value: datetime, zone: str | None = None) -> str:
    """`value`'s calendar day in the viewer's zone, as a `date` input's value."""
    return in_zone(value, zone).date().isoformat()


def parse_iso(value: str) -> datetime:
    """An ISO 8601 timestamp from JSON, back to a datetime."""
    return datetime.fromisoformat(value)


def answer_time(hours: float) -> str:
    """A typical answer time in words: "an hour", "6 hours", "2 days"."""
    if hours < 1.5:
        return "an hour"
    if hours < 36:
        return f"{round(hours)} hours"
    return f"{round(hours / 24)} days"


def ago(value: datetime, now: datetime) -> str:
    """How long ago, coarsely: "today", "yesterday", "5 days ago", "3 weeks ago"."""
    days = (now - value).days
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    return f"{days // 7} weeks ago"


FILTERS: dict[str, Callable[..., Any]] = {
    "answer_time": answer_time,
    "ago": ago,
    "when": when,
    "parse_iso": parse_iso,
    "input_minute": input_minute,
    "input_day": input_day,
}
