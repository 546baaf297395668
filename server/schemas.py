"""Validated shapes of what clients send: shared by the JSON API and the HTML forms."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIMEZONES = frozenset(available_timezones())


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError("Enter an e-mail address like name@example.org.")
    return value


def _timezone(value: str) -> str:
    if value not in _TIMEZONES:
        raise ValueError(f"Unknown time zone {value!r}; use an IANA name like Europe/Paris.")
    return value


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=256)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Timezone = Annotated[str, AfterValidator(_timezone)]
# Clients send any offset; everything past validation is in UTC, as the database stores it.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
SelfRole = Literal["mentor", "mentee"]


class Strict(BaseModel):
    """Unknown fields are an error, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid")


class SignupIn(Strict):
    email: Email
    password: Password
    name: Name
    roles: Annotated[list[SelfRole], Field(min_length=1, max_length=2)]


class LoginIn(Strict):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=256)]


class PasswordChangeIn(Strict):
    current_password: Annotated[str, StringConstraints(max_length=256)]
    new_password: Password


class ProfileIn(Strict):
    """A partial profile update: only the fields sent are changed."""

    name: Name | None = None
    headline: Annotated[str, StringConstraints(strip_whitespace=True, max_length=140)] | None = None
    bio: Annotated[str, StringConstraints(max_length=5000)] | None = None
    skills: Annotated[list[Tag], Field(max_length=30), AfterValidator(_unique)] | None = None
    goals: Annotated[str, StringConstraints(max_length=2000)] | None = None
    industry: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    languages: Annotated[list[Tag], Field(max_length=20), AfterValidator(_unique)] | None = None
    timezone: Timezone | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    country: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    open_to_meetups: bool | None = None
    show_city: bool | None = None
    max_travel_km: Annotated[int, Field(ge=0, le=1000)] | None = None
    mentor_capacity: Annotated[int, Field(ge=0, le=50)] | None = None


class MentorshipIn(Strict):
    mentor_id: int
    message: Annotated[str, StringConstraints(max_length=2000)] = ""


class SessionIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    starts_at: UtcDatetime
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    kind: Literal["one_on_one", "office_hours"] = "one_on_one"
    participant_ids: Annotated[list[int], Field(max_length=100)] = []
    mentorship_id: int | None = None


Minutes = Annotated[int, Field(ge=1, le=240)]
AgendaTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Details = Annotated[str, StringConstraints(max_length=2000)]


class AgendaItemIn(Strict):
    title: AgendaTitle
    details: Details = ""
    owner_id: int | None = None
    minutes: Minutes | None = None


class AgendaItemPatch(Strict):
    """A partial agenda item update: only the fields sent are changed."""

    title: AgendaTitle | None = None
    details: Details | None = None
    owner_id: int | None = None
    minutes: Minutes | None = None
    done: bool | None = None
    position: Annotated[int, Field(ge=0, le=1000)] | None = None


class AgendaTemplateIn(Strict):
    template: Literal["first_meeting", "goal_review", "office_hours"]


class ActionItemIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    owner_id: int
    due_on: date | None = None
    agenda_item_id: int | None = None


class ActionItemPatch(Strict):
    title: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
        | None
    ) = None
    owner_id: int | None = None
    due_on: date | None = None
    done: bool | None = None


class RecurrenceIn(Strict):
    weekly_until: date


class OfficeHoursIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    topic: Annotated[str, StringConstraints(max_length=2000)] = ""
    starts_at: UtcDatetime
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    capacity: Annotated[int, Field(ge=1, le=100)]
    admission: Literal["open", "lobby"] = "open"
    recurrence: RecurrenceIn | None = None


class PlaceIn(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    country: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class MeetupIn(Strict):
    participant_ids: Annotated[list[int], Field(min_length=1, max_length=50)]
    place: PlaceIn
    starts_at: UtcDatetime
    duration_minutes: Annotated[int, Field(ge=15, le=720)] = 90
    mode: Literal["in_person", "hybrid"] = "in_person"


class RsvpIn(Strict):
    attendance: Literal["in_person", "remote", "declined"]


class CheckInIn(Strict):
    code: Annotated[str, Field(min_length=1, max_length=12)] | None = None
    user_id: int | None = None


class HybridOfficeHoursIn(Strict):
    starts_at: UtcDatetime
    place: PlaceIn | None = None


class RescheduleIn(Strict):
    starts_at: UtcDatetime
