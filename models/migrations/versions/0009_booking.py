"""booking: availability, held time that cannot overlap, cancellations, notifications,
reminder jobs, calendar feeds and no-shows

Revision ID: 0009_booking
Revises: 0008_trust_safety
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0009_booking"
down_revision = "0008_trust_safety"
branch_labels = None
depends_on = None

UTC = models.base.UTCDateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"], ["sessions.id"], name=f"fk_{table}_session_id_sessions", ondelete="CASCADE"
    )


# SQLite has no exclusion constraints: triggers refuse an overlapping live hold of one person.
# They run inside the writing transaction, and SQLite has one writer at a time.
_SQLITE_OVERLAP = """
CREATE TRIGGER session_holds_no_overlap_{event}
BEFORE {event} ON session_holds
WHEN NOT NEW.is_released AND EXISTS (
    SELECT 1 FROM session_holds AS other
    WHERE other.user_id = NEW.user_id AND NOT other.is_released AND other.id != NEW.id
      AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at
)
BEGIN
    SELECT RAISE(ABORT, 'session_holds_no_overlap');
END
"""


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("cancelled_at", UTC, nullable=True))
        batch.add_column(
            sa.Column("cancel_reason", sa.String(500), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))

    op.create_table(
        "availability",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("session_minutes", sa.JSON(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_hours", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("weekly_booking_cap", sa.Integer(), nullable=False),
        sa.Column("cancellation_notice_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _user_fk("availability"),
        sa.PrimaryKeyConstraint("user_id", name="pk_availability"),
    )

    op.create_table(
        "session_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        sa.Column("is_released", sa.Boolean(), nullable=False),
        _session_fk("session_holds"),
        _user_fk("session_holds"),
        sa.PrimaryKeyConstraint("id", name="pk_session_holds"),
    )
    op.create_index("ix_session_holds_session_id", "session_holds", ["session_id"])
    op.create_index("ix_session_holds_user_id", "session_holds", ["user_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE session_holds ADD CONSTRAINT session_holds_no_overlap "
            "EXCLUDE USING gist (user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (NOT is_released)"
        )
    else:
        op.execute(_SQLITE_OVERLAP.format(event="INSERT"))
        op.execute(_SQLITE_OVERLAP.format(event="UPDATE"))

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.String(2000), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("read_at", UTC, nullable=True),
        _user_fk("notifications"),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    op.create_index("ix_notifications_user_unread", "notifications", ["user_id", "read_at"])

    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("by_email", sa.Boolean(), nullable=False),
        _user_fk("notification_preferences"),
        sa.PrimaryKeyConstraint("user_id", "kind", name="pk_notification_preferences"),
    )

    op.create_table(
        "reminder_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.String(8), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("claimed_at", UTC, nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("done_at", UTC, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        _user_fk("reminder_jobs"),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_jobs"),
        sa.UniqueConstraint(
            "item_kind", "item_id", "user_id", "lead", "due_at", name="uq_reminder_jobs_item_kind"
        ),
    )
    op.create_index("ix_reminder_jobs_due_at", "reminder_jobs", ["due_at"])

    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _user_fk("calendar_feeds"),
        sa.PrimaryKeyConstraint("user_id", name="pk_calendar_feeds"),
    )

    op.create_table(
        "no_shows",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", UTC, nullable=False),
        sa.Column("is_corrected", sa.Boolean(), nullable=False),
        _session_fk("no_shows"),
        _user_fk("no_shows"),
        sa.PrimaryKeyConstraint("session_id", "user_id", name="pk_no_shows"),
    )
    op.create_index("ix_no_shows_user_id", "no_shows", ["user_id"])


def downgrade() -> None:
    for table in (
        "no_shows",
        "calendar_feeds",
        "reminder_jobs",
        "notification_preferences",
        "notifications",
        "session_holds",
        "availability",
    ):
        op.drop_table(table)
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("sequence")
        batch.drop_column("cancel_reason")
        batch.drop_column("cancelled_at")
