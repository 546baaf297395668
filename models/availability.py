"""When people in different time zones can all meet: overlapping local working hours.

Stands in until the scheduling feature brings real availability; the shape stays the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

WORK_START_HOUR = 9
WORK_END_HOUR = 17  # a slot must end by then


def _fits(slot_start: datetime, duration: timedelta, zone: ZoneInfo) -> bool:
    local_start = slot_start.astimezone(zone)
    local_end = (slot_start + duration).astimezone(zone)
    return (
        local_start.weekday() < 5
        and local_start.date() == local_end.date()
        and local_start.hour >= WORK_START_HOUR
        and (local_end.hour, local_end.minute) <= (WORK_END_HOUR, 0)
    )


def shared_slots(
    zones: Sequence[str],
    after: datetime,
    *,
    duration: timedelta = timedelta(minutes=90),
    days: int = 14,
    count: int = 3,
) -> list[datetime]:
    """Up to `count` start times (UTC, on the hour, one per day) inside everyone's working hours."""
    tzs = [ZoneInfo(zone) for zone in zones]
    start = (after + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    found: list[datetime] = []
    days_used: set[object] = set()
    for hour in range(days * 24):
        slot = start + timedelta(hours=hour)
        day = slot.astimezone(tzs[0]).date() if tzs else slot.date()
        if day in days_used:
            continue
        if all(_fits(slot, duration, tz) for tz in tzs):
            found.append(slot)
            days_used.add(day)
            if len(found) == count:
                break
    return found
