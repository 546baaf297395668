"""Imports every model module so the metadata knows every table (for migrations and tests)."""

from models import (
    agenda,
    availability,
    bookings,
    calendar_feeds,
    check_ins,
    meetups,
    mentorships,
    no_shows,
    notes,
    notifications,
    office_hours,
    reminders,
    sessions,
    users,
)

__all__ = [
    "agenda",
    "availability",
    "bookings",
    "calendar_feeds",
    "check_ins",
    "meetups",
    "mentorships",
    "no_shows",
    "notes",
    "notifications",
    "office_hours",
    "reminders",
    "sessions",
    "users",
]
