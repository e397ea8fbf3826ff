"""operations: the mail queue and the survey schedule (issue 12)

Revision ID: operations
Revises: session_version
"""
from alembic import op
import sqlalchemy as sa


revision = "operations"
down_revision = "session_version"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mail_batch_wave_id", "mail_batch", ["wave_id"])
    op.create_table(
        "mail_message",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["mail_batch.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("batch_id", "person_id"),
    )
    op.create_index("ix_mail_message_queue", "mail_message", ["status", "batch_id", "person_id"])
    op.create_table(
        "schedule_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("ran_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("line", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "action"),
    )


def downgrade():
    op.drop_table("schedule_run")
    op.drop_index("ix_mail_message_queue", table_name="mail_message")
    op.drop_table("mail_message")
    op.drop_index("ix_mail_batch_wave_id", table_name="mail_batch")
    op.drop_table("mail_batch")
