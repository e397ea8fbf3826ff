"""Login rate limits that hold across gunicorn workers without Redis.

Flask-Limiter's default store is each worker's memory, so with four workers a guesser got
four times the allowed tries.  :class:`SQLiteCounterStorage` keeps the counters in a small
SQLite file beside the database instead (``naranu+sqlite:///path``): every worker process on
the host shares it, and a counter is one atomic ``INSERT … ON CONFLICT … RETURNING``.  Several
app servers (PostgreSQL deployments) share a Redis instead, set with
``NARANU_RATELIMIT_STORAGE_URI=redis://…``; naranu never requires one.

Counters are keyed by client address or by the e-mail typed into the login form and live only
as long as their window; expired rows are deleted on the next write.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from flask import current_app, request
from limits.storage import Storage

#: ``naranu+sqlite:///`` + a file path, like SQLAlchemy's SQLite URLs (see survey.app_config).
SCHEME = "naranu+sqlite"

_SCHEMA = ("CREATE TABLE IF NOT EXISTS counter "
           "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)")
_INCREMENT = (
    "INSERT INTO counter (key, count, expires) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN expires <= :now THEN :amount ELSE count + :amount END, "
    "expires = CASE WHEN expires <= :now THEN :expires ELSE expires END "
    "RETURNING count"
)


class SQLiteCounterStorage(Storage):
    """A ``limits`` storage (fixed windows) in an SQLite file shared by worker processes."""

    # ``limits`` declares this an instance attribute and reads it from the class.
    STORAGE_SCHEME: list[str] | None = [SCHEME]  # noqa: RUF012

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self.path = (uri or "").removeprefix(f"{SCHEME}:///")
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().execute(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread, in autocommit mode (every statement is atomic)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA secure_delete=ON")
            self._local.connection = connection
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        connection.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        row = connection.execute(_INCREMENT, {"key": key, "amount": amount, "now": now,
                                              "expires": now + expiry}).fetchone()
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM counter WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute(
            "SELECT expires FROM counter WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))


def login_limit() -> str:
    """Tries per client address (``RATELIMIT_LOGIN``)."""
    return current_app.config["RATELIMIT_LOGIN"]


def account_limit() -> str:
    """Failed tries per account, whatever the address (``RATELIMIT_LOGIN_ACCOUNT``)."""
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def account_key() -> str:
    """The e-mail typed into the login form, as the account is looked up."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def failed(response: Any) -> bool:
    """A login that did not sign in (a success redirects)."""
    return response.status_code != 302
