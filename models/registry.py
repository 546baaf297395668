"""Imports every model module so the metadata knows every table (for migrations and tests)."""

from models import agenda, mentorships, notes, office_hours, sessions, users

__all__ = ["agenda", "mentorships", "notes", "office_hours", "sessions", "users"]
