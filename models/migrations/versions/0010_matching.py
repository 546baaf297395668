"""matching: answer times, why requests closed, and held top suggestions

Revision ID: 0010_matching
Revises: 0009_booking
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0010_matching"
down_revision = "0009_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentorships") as batch:
        batch.add_column(
            sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("closed_reason", sa.String(length=32), nullable=True))
    op.create_table(
        "suggestion_holds",
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("held_until", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["users.id"],
            name=op.f("fk_suggestion_holds_mentee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["users.id"],
            name=op.f("fk_suggestion_holds_mentor_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentee_id", "mentor_id", name=op.f("pk_suggestion_holds")),
    )
    op.create_index(
        op.f("ix_suggestion_holds_mentor_id"), "suggestion_holds", ["mentor_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_suggestion_holds_mentor_id"), table_name="suggestion_holds")
    op.drop_table("suggestion_holds")
    with op.batch_alter_table("mentorships") as batch:
        batch.drop_column("closed_reason")
        batch.drop_column("answered_at")
