"""Imports every model module so the metadata knows every table (for migrations and tests)."""

from models import (
    agenda,
    meetups,
    mentorships,
    notes,
    office_hours,
    sessions,
    suggestion_holds,
    users,
)

__all__ = [
    "agenda",
    "meetups",
    "mentorships",
    "notes",
    "office_hours",
    "sessions",
    "suggestion_holds",
    "users",
]
