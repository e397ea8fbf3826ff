"""The unit_heads_plans migration on a database with history: logged interventions become
organisation-wide plans (nothing lost), and closed waves get their publication time from their
"wave closed" audit entry.  Also checks that the migrated schema is the models' schema."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from survey.db import db
from survey.plans.models import ActionPlan
from tests.conftest import ROOT

MIGRATIONS = str(ROOT / "migrations")
NEW_TABLES = {"unit_assignment", "action_plan", "action_plan_principle", "action_plan_update",
              "report_notice"}


@pytest.fixture()
def old_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app on an empty SQLite database (the shared template is already at head)."""
    return make_app(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "old.sqlite3"))


def _history(connection) -> None:
    """What an installation had before: two principles, a closed and an open wave, two
    interventions (one with two principles, one dated in the future)."""
    statements = [
        "INSERT INTO principle (id, code, title_ja, title_en, position, active) VALUES "
        "(1, 'no-blame', '失敗を責めない', 'No blame', 1, 1), "
        "(2, 'evidence', '根拠', 'Evidence', 2, 1)",
        "INSERT INTO survey (id, name, title_ja, title_en, is_default) "
        "VALUES (1, 'pulse', 'パルス', 'Pulse', 1)",
        "INSERT INTO user_account (id, email, password_hash, role, active, created_at, "
        "session_version) VALUES (1, 'boss@town.example.jp', 'x', 'leadership', 1, "
        "'2026-04-01 00:00:00', 0)",
        "INSERT INTO wave (id, public_id, survey_id, label, opens_on, closes_on, closed, "
        "min_group_size, min_comment_group_size, invited_count, responded_count) VALUES "
        "(1, 'a', 1, '2026-04', '2026-04-01', '2026-04-14', 1, 5, 10, 30, 20), "
        "(2, 'b', 1, '2026-05', '2026-05-01', '2026-05-14', 0, 5, 10, 30, 0)",
        "INSERT INTO intervention (id, \"on\", text, created_by) VALUES "
        "(1, '2026-04-20', '失敗共有会を開始', 1), (2, '2999-01-01', '将来の施策', NULL)",
        "INSERT INTO intervention_principle (intervention_id, principle_id) VALUES "
        "(1, 1), (1, 2), (2, 2)",
    ]
    for statement in statements:
        connection.execute(text(statement))
    connection.execute(text(
        "INSERT INTO audit_event (at, actor_id, actor_role, action, detail, public) VALUES "
        "('2026-04-15 01:02:03', NULL, 'system', 'wave_closed', :detail, 1)"),
        {"detail": json.dumps({"wave": "2026-04"})})


def test_interventions_become_plans_and_closed_waves_get_their_publication_time(
    old_app: Flask,
) -> None:
    with old_app.app_context():
        upgrade(directory=MIGRATIONS, revision="operations")
        with db.engine.begin() as connection:
            _history(connection)
        upgrade(directory=MIGRATIONS, revision="unit_heads_plans")
        plans = db.session.scalars(select(ActionPlan).order_by(ActionPlan.starts_on)).all()
        assert [(p.unit, p.title, p.starts_on, p.status, p.created_by,
                 sorted(x.code for x in p.principles)) for p in plans] == [
            ("[]", "失敗共有会を開始", dt.date(2026, 4, 20), "done", 1, ["evidence", "no-blame"]),
            ("[]", "将来の施策", dt.date(2999, 1, 1), "planned", None, ["evidence"]),
        ]
        assert [(u.on, u.status) for u in plans[0].updates] == [(dt.date(2026, 4, 20), "done")]
        published: dict[str, object] = dict(db.session.execute(text(
            "SELECT label, results_published_at FROM wave")).all())
        assert str(published["2026-04"]).startswith("2026-04-15 01:02:03")
        assert published["2026-05"] is None
        # The interventions stay until the report reads plans; downgrading drops only the new.
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="operations")
        tables = set(db.inspect(db.engine).get_table_names())
        assert "intervention" in tables and not tables & NEW_TABLES


def test_the_migrated_schema_matches_the_models_for_every_new_table_and_column(
    app: Flask,
) -> None:
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    ours = [d for d in differences if NEW_TABLES & set(map(str, _names(d)))
            or {"language", "results_published_at"} & set(map(str, _names(d)))]
    assert ours == []


def _names(difference) -> list[object]:
    """Table and column names mentioned by one autogenerate difference."""
    found: list[object] = []
    for part in difference if isinstance(difference, list) else [difference]:
        for item in part if isinstance(part, tuple) else (part,):
            found.extend(getattr(item, attr, None) for attr in ("name", "table"))
            if isinstance(item, str):
                found.append(item)
    return found
