"""user_account.session_version: signing out (or revoking) ends every session of the account

Revision ID: session_version
Revises: units
"""
from alembic import op
import sqlalchemy as sa


revision = "session_version"
down_revision = "units"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("session_version")
