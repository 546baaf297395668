"""meetups and the geocode cache

Revision ID: 0006_meetups
Revises: 0005_office_hours
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0006_meetups"
down_revision = "0005_office_hours"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "geocode_cache",
        sa.Column("query", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("query", name=op.f("pk_geocode_cache")),
    )
    op.create_table(
        "meetups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=False),
        sa.Column("place_country", sa.String(length=100), nullable=False),
        sa.Column("place_latitude", sa.Float(), nullable=False),
        sa.Column("place_longitude", sa.Float(), nullable=False),
        sa.Column("starts_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "accepted",
                "declined",
                name="meetupstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposer_id"],
            ["users.id"],
            name=op.f("fk_meetups_proposer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetups")),
    )
    op.create_table(
        "meetup_participants",
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "response",
            sa.Enum(
                "pending", "accepted", "declined", name="response", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetups.id"],
            name=op.f("fk_meetup_participants_meetup_id_meetups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_meetup_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meetup_id", "user_id", name=op.f("pk_meetup_participants")),
    )
    with op.batch_alter_table("meetup_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetup_participants_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("meetup_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetup_participants_user_id"))

    op.drop_table("meetup_participants")
    op.drop_table("meetups")
    op.drop_table("geocode_cache")
