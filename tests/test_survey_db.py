"""SQLite transaction handling: WAL, synchronous=FULL, BEGIN IMMEDIATE and the writer queue."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import text

from survey.db import begin_relaxed_write, begin_write, db
from survey.models import Setting


def _lock_is_free(app: Flask) -> bool:
    path = db.engine.url.database + "-writers"
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_pragmas_make_acknowledged_writes_durable(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL has its own durability and locking")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_relaxed_write_does_not_leave_its_connection_relaxed(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL relaxes one transaction with SET LOCAL")
    with app.app_context():
        begin_relaxed_write(db.session)
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        db.session.commit()
        begin_write(db.session)
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL again
        db.session.rollback()


def test_writer_queue_is_held_during_a_write_and_released_by_commit_and_rollback(app) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL has its own durability and locking")
    with app.app_context():
        begin_write(db.session)
        db.session.add(Setting(key="probe", value=1))
        db.session.flush()
        assert not _lock_is_free(app)
        db.session.commit()
        assert _lock_is_free(app)
        begin_write(db.session)
        db.session.get(Setting, "probe")
        assert not _lock_is_free(app)
        db.session.rollback()
        assert _lock_is_free(app)


def test_concurrent_writers_queue_instead_of_failing(app: Flask) -> None:
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        with app.app_context():
            try:
                for step in range(10):
                    begin_write(db.session)
                    db.session.add(Setting(key=f"w{number}-{step}", value=step))
                    time.sleep(0.001)  # hold the write lock while others queue
                    db.session.commit()
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert db.session.query(Setting).filter(Setting.key.like("w%")).count() == 80


def test_write_transaction_commits_or_rolls_back_and_frees_the_writer_queue(app: Flask) -> None:
    from survey.db import write_transaction

    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # a read transaction is open, as in a request
        with write_transaction(connection):
            connection.execute(text("INSERT INTO setting (key, value) VALUES ('w', '1')"))
            assert not sqlite or not _lock_is_free(app)
        assert not sqlite or _lock_is_free(app)  # while the connection is still checked out
        with pytest.raises(RuntimeError), write_transaction(connection):
            connection.execute(text("INSERT INTO setting (key, value) VALUES ('x', '1')"))
            raise RuntimeError("rolled back")
        assert not sqlite or _lock_is_free(app)
    with app.app_context(), db.engine.connect() as other:  # committed for everyone else
        keys = other.execute(text("SELECT key FROM setting WHERE key IN ('w', 'x')"))
        assert keys.scalars().all() == ["w"]


def test_pre_ping_only_for_server_databases() -> None:
    from survey.app_config import engine_options

    options = {"pool_pre_ping": True, "hide_parameters": True}
    assert engine_options("sqlite:////tmp/x.sqlite3", options) == {
        "pool_pre_ping": False, "hide_parameters": True}
    assert engine_options("postgresql+psycopg://db/naranu", options) == options
