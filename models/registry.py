"""Imports every model module so the metadata knows every table (for migrations and tests)."""

from models import (
    agenda,
    availability,
    bookings,
    calendar_feeds,
    check_ins,
    goals,
    meetups,
    mentorships,
    no_shows,
    notes,
    notifications,
    office_hours,
    reminders,
    sessions,
    suggestion_holds,
    users,
)

__all__ = [
    "agenda",
    "availability",
    "bookings",
    "calendar_feeds",
    "check_ins",
    "goals",
    "meetups",
    "mentorships",
    "no_shows",
    "notes",
    "notifications",
    "office_hours",
    "reminders",
    "sessions",
    "suggestion_holds",
    "users",
]
