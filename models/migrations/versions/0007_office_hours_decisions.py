"""office-hours decisions (admitted, removed) kept across restarts

Revision ID: 0007_office_hours_decisions
Revises: 0006_meetups
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0007_office_hours_decisions"
down_revision = "0006_meetups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_hours_decisions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("admitted", "removed", name="decision", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_office_hours_decisions_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_office_hours_decisions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_office_hours_decisions")),
    )


def downgrade() -> None:
    op.drop_table("office_hours_decisions")
