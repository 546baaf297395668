"""When people can meet: a mentor's stored bookable availability, and the overlap of
several people's local working hours (used to suggest meetup times)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.slots import Rules, Window


class Availability(Base):
    """A mentor's booking rules: weekly windows in their own zone, overrides and limits."""

    __tablename__ = "availability"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # [{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}]; end <= start runs past midnight.
    weekly: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"date": "YYYY-MM-DD", "windows": [{"start", "end"}]}]; no windows = a day off.
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    session_minutes: Mapped[list[int]] = mapped_column(JSON, default=lambda: [30])
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=12)
    horizon_days: Mapped[int] = mapped_column(Integer, default=30)
    weekly_booking_cap: Mapped[int] = mapped_column(Integer, default=0)
    cancellation_notice_hours: Mapped[int] = mapped_column(Integer, default=24)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def rules(self) -> Rules:
        """The stored JSON as the pure slot generator's rules."""
        weekly: dict[int, tuple[Window, ...]] = {}
        for item in self.weekly:
            weekly[item["weekday"]] = (*weekly.get(item["weekday"], ()), _window(item))
        return Rules(
            timezone=self.timezone,
            weekly=weekly,
            overrides={
                date.fromisoformat(o["date"]): tuple(_window(w) for w in o["windows"])
                for o in self.overrides
            },
            session_minutes=tuple(self.session_minutes),
            buffer_minutes=self.buffer_minutes,
            min_notice_hours=self.min_notice_hours,
            horizon_days=self.horizon_days,
            weekly_booking_cap=self.weekly_booking_cap,
            cancellation_notice_hours=self.cancellation_notice_hours,
        )


def _window(item: dict[str, Any]) -> Window:
    return Window(time.fromisoformat(item["start"]), time.fromisoformat(item["end"]))


async def availability_of(db: AsyncSession, user_id: int) -> Availability | None:
    """The mentor's availability, or None when they never set any (not bookable)."""
    return await db.get(Availability, user_id)


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
