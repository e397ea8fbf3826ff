"""The drop_interventions migration: once the report marks plans, the old intervention tables
go; the actions they held live on as the plans 0005 made of them, and a downgrade brings the
(empty) tables back."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from survey.db import db
from survey.plans.models import ActionPlan
from tests.test_migration_unit_heads_plans import MIGRATIONS, _history, old_app  # noqa: F401

OLD_TABLES = {"intervention", "intervention_principle"}


def _tables() -> set[str]:
    return set(db.inspect(db.engine).get_table_names())


def test_the_tables_go_and_the_plans_made_of_them_stay(old_app: Flask) -> None:  # noqa: F811
    with old_app.app_context():
        upgrade(directory=MIGRATIONS, revision="operations")
        with db.engine.begin() as connection:
            _history(connection)
        upgrade(directory=MIGRATIONS, revision="unit_heads_plans")
        upgrade(directory=MIGRATIONS, revision="drop_interventions")
        assert not _tables() & OLD_TABLES
        titles = sorted(db.session.scalars(select(ActionPlan.title)))
        assert titles == ["失敗共有会を開始", "将来の施策"]
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="unit_heads_plans")
        assert _tables() >= OLD_TABLES
        assert len(db.session.scalars(select(ActionPlan.title)).all()) == 2
