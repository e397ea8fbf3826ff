"""Database outages: the cause in the log, 503 with Retry-After where waiting helps, and a read
run again after a dropped PostgreSQL connection.  Every failure is a real one: a full SQLite
file (``max_page_count``), a lock held by another connection, a backend terminated by the
PostgreSQL server."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from survey.db import db
from tests.conftest import PASSWORD, roster_rows


def on_every_connection(app: Flask, pragma: str) -> None:
    """Run ``PRAGMA <pragma>`` on each new SQLite connection of the app (after naranu's own)."""
    with app.app_context():
        engine = db.engine
        engine.dispose()

        @event.listens_for(engine, "connect")
        def _pragma(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA {pragma}")


def signed_in_admin(app: Flask, make_user: Callable[..., Any]) -> FlaskClient:
    client = app.test_client()
    user = make_user("admin")
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302
    return client


def sqlite_only(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("an SQLite file's own limits")
    return database_url.removeprefix("sqlite:///")


def roster_upload(count: int) -> dict[str, Any]:
    import io

    lines = ["employee_id,email,department"] + [
        f"{row['employee_id']},{row['email']},{row['department']}" for row in roster_rows(count)]
    return {"file": (io.BytesIO(("\n".join(lines) + "\n").encode()), "roster.csv")}


def test_a_full_disk_is_logged_as_such_and_answered_503(
    app: Flask, make_user: Callable[..., Any], database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = sqlite_only(database_url)
    client = signed_in_admin(app, make_user)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    on_every_connection(app, f"max_page_count = {pages}")  # the file may not grow: "full"
    with caplog.at_level(logging.ERROR):
        response = client.post("/roster", data=roster_upload(2000),
                               content_type="multipart/form-data")
    assert response.status_code == 503
    assert "Retry-After" not in response.headers  # waiting will not free the disk
    assert "サーバーの記憶領域が不足しています" in response.get_data(as_text=True)
    assert any("database unavailable: disk full (OperationalError)" in record.getMessage()
               for record in caplog.records)
    assert not any("unhandled" in record.getMessage() for record in caplog.records)


@contextmanager
def held_write_lock(path: str) -> Iterator[None]:
    """Another process's connection in the middle of a write transaction."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_locked_database_is_answered_503_with_retry_after(
    app: Flask, make_user: Callable[..., Any], database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = sqlite_only(database_url)
    client = signed_in_admin(app, make_user)
    on_every_connection(app, "busy_timeout = 200")
    with held_write_lock(path), caplog.at_level(logging.ERROR):
        response = client.post("/admin/settings", data={"k": "7", "k_comments": "12"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "数秒後にもう一度お試しください" in response.get_data(as_text=True)
    assert any("database unavailable: database locked (OperationalError)" in r.getMessage()
               for r in caplog.records)


def postgres_only(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("a dropped PostgreSQL connection")
    return database_url


def drop_connection_at_first_query(app: Flask, database_url: str, marker: str) -> list[int]:
    """Have the server terminate the app's backend just before its first query naming
    ``marker``; returns the pids terminated."""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    killed: list[int] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _drop(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if killed or marker not in statement:
            return
        pid = connection.connection.dbapi_connection.info.backend_pid
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killed.append(pid)

    return killed


def test_a_read_survives_a_dropped_postgresql_connection(
    app: Flask, make_user: Callable[..., Any], database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = postgres_only(database_url)
    client = signed_in_admin(app, make_user)
    killed = drop_connection_at_first_query(app, url, "FROM wave")
    with caplog.at_level(logging.WARNING):
        response = client.get("/admin/")
    assert killed, "the connection was not dropped"
    assert response.status_code == 200
    assert any("database connection lost on GET /admin/; reading again" in r.getMessage()
               for r in caplog.records)


def test_a_write_on_a_dropped_connection_is_not_repeated_but_answered_503(
    app: Flask, make_user: Callable[..., Any], database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = postgres_only(database_url)
    client = signed_in_admin(app, make_user)
    killed = drop_connection_at_first_query(app, url, "FROM setting")
    with caplog.at_level(logging.ERROR):
        response = client.post("/admin/settings", data={"k": "7", "k_comments": "12"})
    assert killed
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert any("database unavailable: connection lost" in r.getMessage() for r in caplog.records)
    assert client.get("/admin/settings").status_code == 200  # the pool reconnects
