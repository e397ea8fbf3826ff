"""drop_interventions: the logged interventions are gone, read by nothing any more

0005 copied every logged intervention into an organisation-wide action plan; since then the
report marks its charts with plans (reports.storage.load.action_markers) and the old page
(/reports/interventions) is gone, so the two tables are dropped.  A downgrade recreates them
empty: the actions live on as plans, which the downgrade to 0005 keeps.

Revision ID: drop_interventions
Revises: two_factor
"""
from alembic import op
import sqlalchemy as sa


revision = "drop_interventions"
down_revision = "two_factor"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("intervention_principle")
    op.drop_table("intervention")


def downgrade():
    op.create_table(
        "intervention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "intervention_principle",
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("principle_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["intervention_id"], ["intervention.id"]),
        sa.ForeignKeyConstraint(["principle_id"], ["principle.id"]),
        sa.PrimaryKeyConstraint("intervention_id", "principle_id"),
    )
