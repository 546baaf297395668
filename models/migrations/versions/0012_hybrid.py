"""hybrid: a meetup's mode, the session it owns, each participant's attendance, check-ins

Revision ID: 0012_hybrid
Revises: 0011_goals
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0012_hybrid"
down_revision = "0011_goals"
branch_labels = None
depends_on = None

UTC = models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("meetups") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(16), nullable=False, server_default="in_person")
        )
        batch.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("check_in_code", sa.String(12), nullable=False, server_default="")
        )
        batch.create_foreign_key(
            "fk_meetups_session_id_sessions",
            "sessions",
            ["session_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_meetups_session_id", ["session_id"])
    with op.batch_alter_table("meetup_participants") as batch:
        batch.add_column(
            sa.Column("attendance", sa.String(16), nullable=False, server_default="in_person")
        )
        batch.add_column(
            sa.Column("check_in_failures", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "check_ins",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", UTC, nullable=False),
        sa.Column("is_ticked_by_host", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_check_ins_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_check_ins_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name="pk_check_ins"),
    )


def downgrade() -> None:
    op.drop_table("check_ins")
    with op.batch_alter_table("meetup_participants") as batch:
        batch.drop_column("check_in_failures")
        batch.drop_column("attendance")
    with op.batch_alter_table("meetups") as batch:
        batch.drop_index("ix_meetups_session_id")
        batch.drop_constraint("fk_meetups_session_id_sessions", type_="foreignkey")
        batch.drop_column("check_in_code")
        batch.drop_column("session_id")
        batch.drop_column("mode")
