"""The two_factor migration on a database with accounts: they keep signing in with their
password alone, can set up a second factor, and a downgrade drops only the new tables.  Also
checks that the migrated schema is the models' schema for the new tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from survey.auth.passwords import hash_password
from survey.db import db
from survey.models import User
from survey.twofactor.services import confirm_enrolment, confirmed_factor, start_enrolment
from tests.conftest import PASSWORD, ROOT, TWOFACTOR_KEY
from tests.test_migration_unit_heads_plans import _names

MIGRATIONS = str(ROOT / "migrations")
NEW_TABLES = {"second_factor", "recovery_code"}


@pytest.fixture()
def old_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app on an empty SQLite database (the shared template is already at head)."""
    return make_app(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "old.sqlite3"))


def test_accounts_keep_their_password_sign_in_and_can_add_a_second_factor(
    old_app: Flask,
) -> None:
    with old_app.app_context():
        upgrade(directory=MIGRATIONS, revision="unit_heads_plans")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO user_account (id, email, password_hash, role, active, created_at, "
                "session_version, language) VALUES (1, 'boss@town.example.jp', :hash, "
                "'leadership', 1, '2026-04-01 00:00:00', 3, 'ja')"),
                {"hash": hash_password(PASSWORD)})
        upgrade(directory=MIGRATIONS, revision="two_factor")
        assert confirmed_factor(db.session, 1) is None
        client = old_app.test_client()
        signed_in = client.post("/login", data={"email": "boss@town.example.jp",
                                                "password": PASSWORD})
        assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/reports/"
        user = db.session.get_one(User, 1)
        secret = start_enrolment(db.session, user, TWOFACTOR_KEY)
        confirm_enrolment(db.session, user, TWOFACTOR_KEY, pyotp.TOTP(secret).now())
        db.session.commit()
        assert confirmed_factor(db.session, 1) is not None
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="unit_heads_plans")
        tables = set(db.inspect(db.engine).get_table_names())
        assert "user_account" in tables and not tables & NEW_TABLES
        assert db.session.execute(text("SELECT email FROM user_account")).scalar_one() == (
            "boss@town.example.jp")


def test_the_migrated_schema_matches_the_models_for_the_new_tables(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert [d for d in differences if NEW_TABLES & set(map(str, _names(d)))] == []
