"""two-factor sign-in (issue 12.6)

An account's TOTP secret (encrypted with the instance's two-factor key, never in clear), when
it was confirmed and the last time step accepted; and its unused recovery codes as keyed
hashes.  No existing row changes: every account starts without a second factor.

Revision ID: two_factor
Revises: unit_heads_plans
"""
from alembic import op
import sqlalchemy as sa


revision = "two_factor"
down_revision = "unit_heads_plans"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "second_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "recovery_code",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "code_hash"),
    )


def downgrade():
    op.drop_table("recovery_code")
    op.drop_table("second_factor")
