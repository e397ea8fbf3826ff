"""unit heads, action plans, report notices, publication times (issue 11)

Unit-head accounts and the units they head; action plans with their principles and dated
history, filled from the logged interventions (which stay until the report reads plans);
report notices (one mail per wave and reader); the account's language for those mails; and
when each wave's results were published, filled for closed waves from their "wave closed"
audit entries.

Revision ID: unit_heads_plans
Revises: operations
"""
import datetime as dt
import json

from alembic import op
import sqlalchemy as sa


revision = "unit_heads_plans"
down_revision = "operations"
branch_labels = None
depends_on = None

#: Who carried out a migrated intervention: leadership logged them (幹部 / Leadership).
MIGRATED_OWNER = "幹部 (Leadership)"
MIGRATED_NOTE = "ログ済みの施策から移行 / Migrated from the logged actions"


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))
    with op.batch_alter_table("wave") as batch:
        batch.add_column(sa.Column("results_published_at", sa.DateTime(timezone=True),
                                   nullable=True))
    op.create_table(
        "unit_assignment",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "unit"),
    )
    op.create_table(
        "action_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=400), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_action_plan_unit", "action_plan", ["unit"])
    op.create_table(
        "action_plan_principle",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("principle_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["action_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["principle_id"], ["principle.id"]),
        sa.PrimaryKeyConstraint("plan_id", "principle_id"),
    )
    op.create_table(
        "action_plan_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["action_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_action_plan_update_plan_id", "action_plan_update", ["plan_id"])
    op.create_table(
        "report_notice",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("report_path", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("wave_id", "user_id"),
    )
    op.create_index("ix_report_notice_queue", "report_notice", ["status", "wave_id", "user_id"])
    _plans_from_interventions()
    _publication_times()


def _plans_from_interventions():
    """One organisation-wide plan per logged intervention, same day, text and principles."""
    connection = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    plan = sa.table("action_plan", *(sa.column(name) for name in (
        "id", "unit", "title", "details", "owner", "starts_on", "due_on", "status", "created_by",
        "created_at")))
    update = sa.table("action_plan_update", *(sa.column(name) for name in (
        "plan_id", "on", "status", "note", "author_role", "created_at", "author_id")))
    rows = connection.execute(sa.text(
        'SELECT id, "on", text, created_by FROM intervention ORDER BY "on", id')).all()
    for old_id, on, text, created_by in rows:
        on = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on))
        status = "done" if on <= today else "planned"
        new_id = connection.execute(plan.insert().values(
            unit="[]", title=text, details="", owner=MIGRATED_OWNER, starts_on=on, due_on=on,
            status=status, created_by=created_by, created_at=now).returning(plan.c.id)).scalar_one()
        connection.execute(update.insert().values(
            plan_id=new_id, on=on, status=status, note=MIGRATED_NOTE, author_role="leadership",
            created_at=now, author_id=created_by))
        connection.execute(sa.text(
            "INSERT INTO action_plan_principle (plan_id, principle_id) "
            "SELECT :plan, principle_id FROM intervention_principle "
            "WHERE intervention_id = :old"), {"plan": new_id, "old": old_id})


def _publication_times():
    """A closed wave's results were published when it closed: its 'wave_closed' entry."""
    connection = op.get_bind()
    closed = {}
    for at, detail in connection.execute(sa.text(
            "SELECT at, detail FROM audit_event WHERE action = 'wave_closed' ORDER BY at")):
        detail = json.loads(detail) if isinstance(detail, str) else (detail or {})
        closed.setdefault(detail.get("wave"), at)
    waves = connection.execute(sa.text(
        "SELECT id, label FROM wave WHERE closed = :yes"), {"yes": True}).all()
    for wave_id, label in waves:
        if label in closed:
            connection.execute(sa.text(
                "UPDATE wave SET results_published_at = :at WHERE id = :id"),
                {"at": closed[label], "id": wave_id})


def downgrade():
    op.drop_index("ix_report_notice_queue", table_name="report_notice")
    op.drop_table("report_notice")
    op.drop_index("ix_action_plan_update_plan_id", table_name="action_plan_update")
    op.drop_table("action_plan_update")
    op.drop_table("action_plan_principle")
    op.drop_index("ix_action_plan_unit", table_name="action_plan")
    op.drop_table("action_plan")
    op.drop_table("unit_assignment")
    # Plain DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): a batch copy of these tables would drop
    # and re-create them, which SQLite refuses while other tables' foreign keys point at them.
    op.execute("ALTER TABLE wave DROP COLUMN results_published_at")
    op.execute("ALTER TABLE user_account DROP COLUMN language")
