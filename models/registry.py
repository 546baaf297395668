"""Imports every model module so the metadata knows every table (for migrations and tests)."""

from models import mentorships, sessions, users

__all__ = ["mentorships", "sessions", "users"]
