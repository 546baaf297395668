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
    BeforeValidator,
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


# Ids are 64-bit signed integers in both databases: a larger number names nothing.
MAX_ID = 2**63 - 1
# Years Tandem schedules in; outside them a date is a typo, and near year 1 or 9999 adding an
# offset or a duration would leave the calendar.
YEARS = range(2000, 3000)


def _in_years(value: date) -> date:
    if value.year not in YEARS:
        raise ValueError(f"Pick a date between the years {YEARS[0]} and {YEARS[-1]}.")
    return value


def _utc(value: datetime) -> datetime:
    _in_years(value)
    return value.astimezone(UTC)


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("Cannot be null; leave the field out to keep it as it is.")
    return value


def _null_means(default: object) -> BeforeValidator:
    """In a partial update, `null` puts a field back to what a new record starts with."""
    return BeforeValidator(lambda value: default if value is None else value)


# In a partial update, `null` for a field that has no empty value is refused.
NotNull = BeforeValidator(_refuse_null)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=256)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Timezone = Annotated[str, AfterValidator(_timezone)]
# Clients send any offset; everything past validation is in UTC, as the database stores it.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
Day = Annotated[date, AfterValidator(_in_years)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
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


_Line100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
_Line140 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=140)]
_Text2000 = Annotated[str, StringConstraints(max_length=2000)]
_Text5000 = Annotated[str, StringConstraints(max_length=5000)]
_Skills = Annotated[list[Tag], Field(max_length=30), AfterValidator(_unique)]
_Languages = Annotated[list[Tag], Field(max_length=20), AfterValidator(_unique)]
_TravelKm = Annotated[int, Field(ge=0, le=1000)]
_Capacity = Annotated[int, Field(ge=0, le=50)]


class ProfileIn(Strict):
    """A partial profile update: only the fields sent are changed; `null` resets a field to
    what a new account starts with, except `name`, which cannot be null."""

    name: Annotated[Name | None, NotNull] = None
    headline: Annotated[_Line140 | None, _null_means("")] = None
    bio: Annotated[_Text5000 | None, _null_means("")] = None
    skills: Annotated[_Skills | None, _null_means([])] = None
    goals: Annotated[_Text2000 | None, _null_means("")] = None
    industry: Annotated[_Line100 | None, _null_means("")] = None
    languages: Annotated[_Languages | None, _null_means([])] = None
    timezone: Annotated[Timezone | None, _null_means("UTC")] = None
    city: Annotated[_Line100 | None, _null_means("")] = None
    country: Annotated[_Line100 | None, _null_means("")] = None
    open_to_meetups: Annotated[bool | None, _null_means(False)] = None
    show_city: Annotated[bool | None, _null_means(False)] = None
    max_travel_km: Annotated[_TravelKm | None, _null_means(25)] = None
    mentor_capacity: Annotated[_Capacity | None, _null_means(0)] = None


class MentorshipIn(Strict):
    mentor_id: Id
    message: Annotated[str, StringConstraints(max_length=2000)] = ""


class SessionIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    starts_at: UtcDatetime
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    kind: Literal["one_on_one", "office_hours"] = "one_on_one"
    participant_ids: Annotated[list[Id], Field(max_length=100)] = []
    mentorship_id: Id | None = None


Minutes = Annotated[int, Field(ge=1, le=240)]
AgendaTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Details = Annotated[str, StringConstraints(max_length=2000)]


class AgendaItemIn(Strict):
    title: AgendaTitle
    details: Details = ""
    owner_id: Id | None = None
    minutes: Minutes | None = None
    goal_id: int | None = None


class AgendaItemPatch(Strict):
    """A partial agenda item update: only the fields sent are changed; `null` empties the
    details, removes the owner or the minutes, and unticks; it is refused for title and position."""

    title: Annotated[AgendaTitle | None, NotNull] = None
    details: Annotated[Details | None, _null_means("")] = None
    owner_id: Id | None = None
    minutes: Minutes | None = None
    done: Annotated[bool | None, _null_means(False)] = None
    position: Annotated[Annotated[int, Field(ge=0, le=1000)] | None, NotNull] = None
    goal_id: int | None = None


class AgendaTemplateIn(Strict):
    template: Literal["first_meeting", "goal_review", "office_hours"]


class ActionItemIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    owner_id: Id
    due_on: Day | None = None
    agenda_item_id: Id | None = None


class ActionItemPatch(Strict):
    """Only the fields sent change; `null` removes the due date and unticks; no null title."""

    title: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
        | None,
        NotNull,
    ] = None
    owner_id: Id | None = None
    due_on: Day | None = None
    done: Annotated[bool | None, _null_means(False)] = None


class RecurrenceIn(Strict):
    weekly_until: Day


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
    participant_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
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
