"""consent before contact: session invitations and meetup requests wait for an answer

Revision ID: 0008_consent
Revises: 0007_office_hours_decisions
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_consent"
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


def downgrade() -> None:
    with op.batch_alter_table("meetup_participants") as batch:
        batch.drop_column("is_request")
    with op.batch_alter_table("session_participants") as batch:
        batch.drop_column("response")
