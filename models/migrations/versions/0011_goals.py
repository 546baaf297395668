"""goals: goals and milestones per mentorship, check-ins after sessions, ending a mentorship
with a reason, suspended accounts

Revision ID: 0011_goals
Revises: 0010_matching
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0011_goals"
down_revision = "0010_matching"
branch_labels = None
depends_on = None

UTC = models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("achieved_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["mentorships.id"],
            name="fk_goals_mentorship_id_mentorships",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name="fk_goals_created_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_goals"),
    )
    op.create_index("ix_goals_mentorship_id", "goals", ["mentorship_id"])
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", UTC, nullable=True),
        sa.Column("done_in_session_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name="fk_milestones_goal_id_goals", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["done_in_session_id"],
            ["sessions.id"],
            name="fk_milestones_done_in_session_id_sessions",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_milestones"),
    )
    op.create_index("ix_milestones_goal_id", "milestones", ["goal_id"])
    op.create_table(
        "session_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("about_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("went_well", sa.String(2000), nullable=False),
        sa.Column("private_note", sa.String(2000), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_session_feedback_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_session_feedback_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["about_id"],
            ["users.id"],
            name="fk_session_feedback_about_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_session_feedback"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_session_feedback_session_id"),
    )
    op.create_index("ix_session_feedback_session_id", "session_feedback", ["session_id"])
    op.create_index("ix_session_feedback_user_id", "session_feedback", ["user_id"])
    op.create_index("ix_session_feedback_about_id", "session_feedback", ["about_id"])
    with op.batch_alter_table("agenda_items") as batch:
        batch.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_agenda_items_goal_id_goals", "goals", ["goal_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("action_items") as batch:
        batch.add_column(sa.Column("done_at", UTC, nullable=True))
    with op.batch_alter_table("mentorships") as batch:
        batch.add_column(sa.Column("end_reason", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_mentorships_ended_by_id_users",
            "users",
            ["ended_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("suspended_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("suspended_at")
    with op.batch_alter_table("mentorships") as batch:
        batch.drop_constraint("fk_mentorships_ended_by_id_users", type_="foreignkey")
        batch.drop_column("ended_by_id")
        batch.drop_column("end_reason")
    with op.batch_alter_table("action_items") as batch:
        batch.drop_column("done_at")
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_constraint("fk_agenda_items_goal_id_goals", type_="foreignkey")
        batch.drop_column("goal_id")
    op.drop_table("session_feedback")
    op.drop_table("milestones")
    op.drop_table("goals")
