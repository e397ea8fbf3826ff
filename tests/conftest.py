"""Shared fixtures: a real database per test (temp SQLite file, or PostgreSQL when
``TEST_DATABASE_URL`` is set), the app, its client and CLI runner, and factories."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from survey.db import DbSession, db
from survey.i18n import compile_catalogs

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-key-0123456789abcdef"
TOKEN_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
TWOFACTOR_KEY = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
PASSWORD = "correct horse battery"


def pytest_configure(config: pytest.Config) -> None:
    compile_catalogs(str(ROOT))


def _postgres_url(worker: str) -> str | None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"naranu_test_{worker}_{os.getpid()}"  # several suites may run at once
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def base_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    """Test configuration: real database, rate limits off unless a test turns them on."""
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "TOKEN_KEY": TOKEN_KEY,
        "TWOFACTOR_KEY": TWOFACTOR_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "http://survey.example",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy per test, or a PostgreSQL database URL."""
    pg = _postgres_url(os.environ.get("PYTEST_XDIST_WORKER", "main"))
    url = pg or "sqlite:///" + str(tmp_path_factory.mktemp("template") / "template.sqlite3")
    app = create_app(base_config(url))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    yield url
    if pg:
        _drop_postgres(pg)


def _drop_postgres(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture()
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database for one test."""
    if database_template.startswith("sqlite"):
        target = tmp_path / "naranu.sqlite3"
        shutil.copy(database_template.removeprefix("sqlite:///"), target)
        yield "sqlite:///" + str(target)
        return
    yield database_template
    _reset_postgres(database_template)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    app = create_app(base_config(url))
    with app.app_context():
        from survey.principles.services import seed_default_template

        seed_default_template(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_report_cache() -> Iterator[None]:
    """Closed-wave caches are per process; each test starts from its own database."""
    from reports.storage.load import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture()
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database with extra settings."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        application = create_app(base_config(database_url, **overrides))
        application.instance_path = str(tmp_path / "instance")
        apps.append(application)
        return application

    yield build
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture()
def app(make_app: Callable[..., Flask]) -> Flask:
    """The application on a fresh database."""
    return make_app()


@pytest.fixture()
def smtp() -> Iterator[Any]:
    """A real SMTP server on loopback: its :class:`tests.smtp_server.Inbox`, with ``.port``."""
    from tests.smtp_server import Inbox, start

    inbox = Inbox()
    controller = start(inbox)
    inbox.port = controller.port  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture()
def mail_app(make_app: Callable[..., Flask], smtp: Any) -> Flask:
    """The application sending through the ``smtp`` server, unthrottled, quick to retry."""
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                    MAIL_FROM="survey@town.example.jp", MAIL_RATE=0, MAIL_RETRY_SECONDS=0.01)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for ``flask --app app …`` commands."""
    return app.test_cli_runner()


@pytest.fixture()
def session(app: Flask) -> Iterator[DbSession]:
    """The database session inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture()
def make_user(app: Flask) -> Callable[..., Any]:
    """Create an account: ``make_user("hr")`` → the user (password is PASSWORD)."""
    from survey.auth.services import create_user

    def build(role: str = "admin", email: str | None = None) -> Any:
        with app.app_context():
            user = create_user(db.session, email or f"{role}@example.jp", role, PASSWORD)
            db.session.commit()
            return user

    return build


@pytest.fixture()
def login(client: FlaskClient, make_user: Callable[..., Any]) -> Callable[[str], FlaskClient]:
    """Sign the test client in with a new account of ``role``."""

    def sign_in(role: str) -> FlaskClient:
        user = make_user(role)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return client

    return sign_in


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    """A workbook whose first sheet holds ``rows`` (for roster upload tests)."""
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DEPARTMENTS = ("税務課", "住民課", "総務課")


def roster_rows(count: int, departments: tuple[str, ...] = DEPARTMENTS) -> list[dict[str, str]]:
    """A synthetic roster: employee_id, email, department, tenure_band."""
    bands = ("0-2年", "3-9年", "10年以上")
    return [
        {"employee_id": f"E{i:04d}", "email": f"staff{i:04d}@town.example.jp",
         "department": departments[i % len(departments)], "tenure_band": bands[(i // 3) % 3]}
        for i in range(count)
    ]


@pytest.fixture()
def make_roster(app: Flask) -> Callable[..., int]:
    """Put people on the roster through the import service; returns how many are active."""

    def build(rows: list[dict[str, str]] | None = None, count: int = 30) -> int:
        from survey.roster.services import import_roster

        with app.app_context():
            summary = import_roster(db.session, rows if rows is not None else roster_rows(count))
            db.session.commit()
            return summary.active

    return build


@pytest.fixture()
def open_wave(app: Flask, make_roster: Callable[..., int]) -> Callable[..., Any]:
    """Open a wave on the default survey (roster of 30 by default): (wave id, link paths)."""

    def build(label: str = "2026-04", roster: bool = True, days: int = 14,
              secondary: list[str] | None = None, **_: Any):
        from survey.org_settings import current_thresholds, group_hierarchy
        from survey.principles.services import survey_by_name
        from survey.waves.services import WavePlan, invitation_links, open_wave, today

        if roster:
            make_roster()
        with app.app_context():
            survey = survey_by_name(db.session, None)
            plan = WavePlan(label, today(), today() + dt.timedelta(days=days))
            wave = open_wave(db.session, survey, plan, current_thresholds(db.session),
                             group_hierarchy(db.session), TOKEN_KEY, secondary=secondary)
            db.session.commit()
            links = invitation_links(db.session, wave, TOKEN_KEY, "http://survey.example")
            return wave.id, [link.removeprefix("http://survey.example") for _email, link in links]

    return build
