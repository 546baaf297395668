"""Bookable slots: a mentor's local weekly windows turned into free UTC intervals.

Pure domain code. Windows are wall-clock times in the mentor's IANA zone, so a Tuesday
18:00 window stays at 18:00 for the mentor across daylight-saving changes, wherever the
mentee lives. A window whose end is not after its start runs past midnight into the next day.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Window:
    """A local wall-clock window; `end <= start` means it ends on the next day."""

    start: time
    end: time

    def span_on(self, day: date, zone: ZoneInfo) -> Interval:
        """The window on `day` as a UTC interval, correct across DST changes."""
        end_day = day if self.end > self.start else day + timedelta(days=1)
        starts = datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
        ends = datetime.combine(end_day, self.end, tzinfo=zone).astimezone(UTC)
        return starts, ends


@dataclass(frozen=True)
class Rules:
    """Everything a mentor decides about when they can be booked."""

    timezone: str = "UTC"
    weekly: dict[int, tuple[Window, ...]] = field(default_factory=dict)  # 0 = Monday
    overrides: dict[date, tuple[Window, ...]] = field(default_factory=dict)  # () = a day off
    session_minutes: tuple[int, ...] = (30,)
    buffer_minutes: int = 0
    min_notice_hours: int = 12
    horizon_days: int = 30
    weekly_booking_cap: int = 0  # per mentee; 0 = no cap
    cancellation_notice_hours: int = 24

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The day's windows: an override replaces the weekday's windows."""
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), ())

    def week_of(self, moment: datetime) -> tuple[int, int]:
        """The ISO (year, week) of `moment` in the mentor's zone: the unit of the weekly cap."""
        iso = moment.astimezone(ZoneInfo(self.timezone)).isocalendar()
        return iso.year, iso.week


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Busy intervals sorted and merged, so a slot needs one bisect to check."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _overlaps(busy: list[Interval], ends: list[datetime], start: datetime, end: datetime) -> bool:
    """Whether [start, end) meets any merged busy interval."""
    i = bisect.bisect_right(ends, start)
    return i < len(busy) and busy[i][0] < end


def free_slots(
    rules: Rules,
    busy: Iterable[Interval],
    *,
    start: datetime,
    end: datetime,
    duration: timedelta,
    now: datetime,
    booked_weeks: dict[tuple[int, int], int] | None = None,
) -> list[Interval]:
    """Free slots of `duration` starting in [start, end), soonest first, in UTC.

    A slot lies inside one window, starts at least `min_notice_hours` from `now` and before
    the horizon, keeps `buffer_minutes` clear of every busy interval, and falls in a week in
    which the mentee has fewer than `weekly_booking_cap` bookings (`booked_weeks`).
    """
    zone = ZoneInfo(rules.timezone)
    earliest = max(start, now + timedelta(hours=rules.min_notice_hours))
    latest = min(end, now + timedelta(days=rules.horizon_days))
    if earliest >= latest or duration <= timedelta(0):
        return []
    buffer = timedelta(minutes=rules.buffer_minutes)
    merged = merge(busy)
    ends = [b[1] for b in merged]
    weeks = booked_weeks or {}
    cap = rules.weekly_booking_cap
    found: list[Interval] = []
    # A window that crosses midnight began on the local day before `earliest`.
    day = earliest.astimezone(zone).date() - timedelta(days=1)
    last_day = latest.astimezone(zone).date()
    while day <= last_day:
        for window in rules.windows_on(day):
            window_start, window_end = window.span_on(day, zone)
            slot = window_start
            if slot < earliest:  # jump ahead in whole steps, keeping the window's grid
                slot += duration * -((window_start - earliest) // duration)
            while slot + duration <= window_end and slot < latest:
                slot_end = slot + duration
                is_free = not _overlaps(merged, ends, slot - buffer, slot_end + buffer)
                if is_free and (cap <= 0 or weeks.get(rules.week_of(slot), 0) < cap):
                    found.append((slot, slot_end))
                slot = slot_end
        day += timedelta(days=1)
    return sorted(set(found))


def is_offered(
    rules: Rules,
    busy: Iterable[Interval],
    slot: Interval,
    *,
    now: datetime,
    booked_weeks: dict[tuple[int, int], int] | None = None,
) -> bool:
    """Whether exactly this slot is among the free ones: what a booking must pass."""
    starts, ends = slot
    found = free_slots(
        rules,
        busy,
        start=starts,
        end=starts + timedelta(seconds=1),
        duration=ends - starts,
        now=now,
        booked_weeks=booked_weeks,
    )
    return found[:1] == [slot]


def naive_free_slots(
    rules: Rules,
    busy: Sequence[Interval],
    *,
    start: datetime,
    end: datetime,
    duration: timedelta,
    now: datetime,
) -> list[Interval]:
    """The same answer by walking every minute of every window and checking every busy
    interval: the yardstick for tests and the benchmark."""
    zone = ZoneInfo(rules.timezone)
    earliest = max(start, now + timedelta(hours=rules.min_notice_hours))
    latest = min(end, now + timedelta(days=rules.horizon_days))
    buffer = timedelta(minutes=rules.buffer_minutes)
    found: set[Interval] = set()
    day = earliest.astimezone(zone).date() - timedelta(days=1)
    while day <= latest.astimezone(zone).date():
        for window in rules.windows_on(day):
            w_start, w_end = window.span_on(day, zone)
            minute = w_start
            while minute + duration <= w_end and minute < latest:
                on_grid = (minute - w_start) % duration == timedelta(0)
                if on_grid and minute >= earliest:
                    clash = any(
                        b0 < minute + duration + buffer and minute - buffer < b1 for b0, b1 in busy
                    )
                    if not clash:
                        found.add((minute, minute + duration))
                minute += timedelta(minutes=1)
        day += timedelta(days=1)
    return sorted(found)
