"""notes: session notes update log and snapshots

Revision ID: 0003_notes
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0003_notes"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("doc", sa.String(length=40), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("update", sa.LargeBinary(), nullable=False),
        sa.Column("chars_inserted", sa.Integer(), nullable=False),
        sa.Column("chars_deleted", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_note_updates_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_note_updates_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_updates")),
        sqlite_autoincrement=True,  # never reuse ids of compacted rows: snapshots count by id
    )
    with op.batch_alter_table("note_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_updates_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_note_updates_session_doc", ["session_id", "doc", "id"], unique=False
        )

    op.create_table(
        "note_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("doc", sa.String(length=40), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("up_to_update_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=True),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_note_snapshots_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_snapshots")),
    )
    with op.batch_alter_table("note_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_note_snapshots_session_doc",
            ["session_id", "doc", "up_to_update_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("note_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_note_snapshots_session_doc")
    op.drop_table("note_snapshots")

    with op.batch_alter_table("note_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_note_updates_session_doc")
        batch_op.drop_index(batch_op.f("ix_note_updates_author_id"))
    op.drop_table("note_updates")
