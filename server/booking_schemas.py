"""Validated shapes of what clients send about availability, bookings and notifications."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from models.notifications import NotificationKind
from server.schemas import Strict, Timezone, UtcDatetime

_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
Clock = Annotated[str, StringConstraints(pattern=_HHMM)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class WindowIn(Strict):
    """A local window; an end not after the start runs past midnight."""

    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _not_empty(self) -> WindowIn:
        if self.start == self.end:
            raise ValueError("A window needs an end different from its start.")
        return self


class WeeklyWindowIn(WindowIn):
    weekday: Annotated[int, Field(ge=0, le=6)]  # 0 = Monday


class OverrideIn(Strict):
    date: date
    windows: Annotated[list[WindowIn], Field(max_length=10)] = []  # none = a day off


class AvailabilityIn(Strict):
    timezone: Timezone
    weekly: Annotated[list[WeeklyWindowIn], Field(max_length=70)] = []
    overrides: Annotated[list[OverrideIn], Field(max_length=366)] = []
    session_minutes: Annotated[list[Annotated[int, Field(ge=15, le=240)]], Field(min_length=1)] = [
        30
    ]
    buffer_minutes: Annotated[int, Field(ge=0, le=240)] = 0
    min_notice_hours: Annotated[int, Field(ge=0, le=24 * 30)] = 12
    horizon_days: Annotated[int, Field(ge=1, le=365)] = 30
    weekly_booking_cap: Annotated[int, Field(ge=0, le=50)] = 0  # 0 = no cap
    cancellation_notice_hours: Annotated[int, Field(ge=0, le=24 * 14)] = 24

    @field_validator("session_minutes")
    @classmethod
    def _few_lengths(cls, value: list[int]) -> list[int]:
        lengths = sorted(set(value))
        if len(lengths) > 6:
            raise ValueError("Offer at most 6 session lengths.")
        return lengths

    @field_validator("overrides")
    @classmethod
    def _one_per_date(cls, value: list[OverrideIn]) -> list[OverrideIn]:
        if len({o.date for o in value}) != len(value):
            raise ValueError("Give each date at most once.")
        return value


class BookingIn(Strict):
    mentor_id: int
    starts_at: UtcDatetime
    duration_minutes: Annotated[int, Field(ge=15, le=240)]
    agenda: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class SessionRescheduleIn(Strict):
    starts_at: UtcDatetime
    reason: Reason = ""


class CancelIn(Strict):
    reason: Reason = ""


class NotificationsReadIn(Strict):
    ids: Annotated[list[int], Field(max_length=500)] | None = None  # None = all


class NotificationPreferencesIn(Strict):
    email: dict[NotificationKind, bool]
