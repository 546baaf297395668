"""How many hours two people in different time zones are both awake, and both free in the evening.

Working in half-hour slots of a UTC day, so zones such as Asia/Kolkata (+5:30) count exactly.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from numpy.typing import NDArray

SLOTS = 48  # half hours in a day
WAKING = (8, 22)  # local hours someone can reasonably take a call
EVENING = (18, 22)  # after work: when most mentoring happens


def utc_offset_slots(zone: str, at: datetime) -> int:
    """The zone's offset from UTC at `at`, in half hours; unknown zones count as UTC."""
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return round(offset.total_seconds() / 1800) if offset else 0


def _local_window(offset: int, hours: tuple[int, int]) -> NDArray[np.bool_]:
    """Which UTC half-hour slots fall inside local `hours` for a zone `offset` slots ahead."""
    local = (np.arange(SLOTS) + offset) % SLOTS
    return np.asarray((local >= 2 * hours[0]) & (local < 2 * hours[1]))


def waking_mask(offset: int) -> NDArray[np.bool_]:
    """UTC slots inside local waking hours."""
    return _local_window(offset, WAKING)


def evening_mask(offset: int) -> NDArray[np.bool_]:
    """UTC slots inside local evening hours."""
    return _local_window(offset, EVENING)


def shared_hours(a: int, b: int) -> tuple[float, float]:
    """(waking hours both share, evening hours both share) for two zone offsets in slots."""
    waking = float((waking_mask(a) & waking_mask(b)).sum()) / 2
    evening = float((evening_mask(a) & evening_mask(b)).sum()) / 2
    return waking, evening


def waking_length_hours() -> float:
    """How long the waking window is: the most two people can share."""
    return float(WAKING[1] - WAKING[0])
