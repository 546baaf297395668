"""trust and safety: session invitations and meetup requests wait for an answer; a city is
shown on the public profile only when its owner chooses to; join tokens end with a password change

Revision ID: 0008_trust_safety
Revises: 0007_office_hours_decisions
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0008_trust_safety"
down_revision = "0007_office_hours_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_participants") as batch:
        batch.add_column(
            sa.Column(
                "response",
                sa.Enum(
                    "accepted",
                    "pending",
                    "declined",
                    name="invitation",
                    native_enum=False,
                    length=16,
                ),
                nullable=False,
                server_default="accepted",
            )
        )
    with op.batch_alter_table("meetup_participants") as batch:
        batch.add_column(
            sa.Column("is_request", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(
            sa.Column("show_city", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "credentials_changed_at", models.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("credentials_changed_at")
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("show_city")
    with op.batch_alter_table("meetup_participants") as batch:
        batch.drop_column("is_request")
    with op.batch_alter_table("session_participants") as batch:
        batch.drop_column("response")
