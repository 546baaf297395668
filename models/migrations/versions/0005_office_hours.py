"""office hours and registrations

Revision ID: 0005_office_hours
Revises: 0004_agenda
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0005_office_hours"
down_revision = "0004_agenda"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "office_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("first_starts_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "admission",
            sa.Enum("open", "lobby", name="admission", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekly_until", sa.Date(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["users.id"],
            name=op.f("fk_office_hours_host_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_hours")),
    )
    with op.batch_alter_table("office_hours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_hours_host_id"), ["host_id"], unique=False)

    op.create_table(
        "office_hours_registrations",
        sa.Column("office_hours_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_hours_id"],
            ["office_hours.id"],
            name=op.f("fk_office_hours_registrations_office_hours_id_office_hours"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_office_hours_registrations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "office_hours_id", "user_id", name=op.f("pk_office_hours_registrations")
        ),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_hours_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_sessions_office_hours_id"), ["office_hours_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sessions_office_hours_id_office_hours"),
            "office_hours",
            ["office_hours_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sessions_office_hours_id_office_hours"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_sessions_office_hours_id"))
        batch_op.drop_column("office_hours_id")

    op.drop_table("office_hours_registrations")
    with op.batch_alter_table("office_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_hours_host_id"))

    op.drop_table("office_hours")
