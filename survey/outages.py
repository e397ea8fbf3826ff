"""When the database cannot answer: say why in the log, tell the client whether to retry, and
retry a read once after a dropped PostgreSQL connection.

An ``OperationalError`` used to be logged as just that, whatever it meant.  The three causes an
operator can act on are told apart here — the disk is full, the database is locked by
another writer, the connection to the server was lost — and answered ``503 Service
Unavailable``; where waiting helps (a lock, a reconnect) with ``Retry-After``.  A GET or HEAD
whose connection was dropped mid-request (a PostgreSQL restart or failover, a firewall
cutting an idle connection) is run once more on a fresh connection: reads change nothing, so
running one twice is safe, and the visitor never sees the blip.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy.exc import DBAPIError

from survey.db import db

#: Methods that change nothing, so a request can be run twice.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
#: Seconds a client should wait before trying again after a lock or a reconnect.
RETRY_AFTER = 5

#: PostgreSQL SQLSTATEs (Appendix A): disk_full; lock_not_available, deadlock_detected,
#: serialization_failure; admin_shutdown, crash_shutdown, cannot_connect_now.
_DISK_FULL_STATES = frozenset({"53100"})
_LOCKED_STATES = frozenset({"55P03", "40P01", "40001"})
_GONE_STATES = frozenset({"57P01", "57P02", "57P03"})


class Cause(StrEnum):
    """Why the database did not answer."""

    DISK_FULL = "disk full"
    LOCKED = "database locked"
    CONNECTION_LOST = "connection lost"


def cause_of(error: BaseException) -> Cause | None:
    """The outage behind a database error, or None for any other error."""
    if not isinstance(error, DBAPIError):
        return None
    state = _sqlstate(error.orig)
    text = str(error.orig).lower()
    if state in _DISK_FULL_STATES or "disk is full" in text or "no space left" in text:
        return Cause.DISK_FULL
    if state in _LOCKED_STATES or "database is locked" in text or "table is locked" in text:
        return Cause.LOCKED
    if (error.connection_invalidated or state in _GONE_STATES or state.startswith("08")
            or "server closed the connection" in text):
        return Cause.CONNECTION_LOST
    return None


def _sqlstate(original: Any) -> str:
    """psycopg's SQLSTATE of a driver error ('' for SQLite, which has none)."""
    return str(getattr(original, "sqlstate", None) or "")


def retry_after(cause: Cause) -> int | None:
    """Seconds to wait before a retry that can succeed; None when waiting will not help."""
    return None if cause is Cause.DISK_FULL else RETRY_AFTER


def log_outage(cause: Cause, error: BaseException) -> None:
    """One log line an operator can act on (the driver's text may carry values: left out)."""
    original = getattr(error, "orig", None)
    current_app.logger.error(
        "database unavailable: %s (%s%s) on %s %s", cause, type(original or error).__name__,
        f", SQLSTATE {_sqlstate(original)}" if _sqlstate(original) else "",
        request.method, request.url_rule.rule if request.url_rule else "-")


def install_read_retry(app: Flask) -> None:
    """Run an idempotent request's view once more when its connection was dropped."""
    dispatch: Callable[[], Any] = app.dispatch_request

    def dispatch_retrying_reads() -> Any:
        try:
            return dispatch()
        except DBAPIError as error:
            if request.method not in IDEMPOTENT or cause_of(error) is not Cause.CONNECTION_LOST:
                raise
            db.session.rollback()
            app.logger.warning("database connection lost on %s %s; reading again",
                               request.method, request.url_rule.rule if request.url_rule else "-")
            return dispatch()

    app.dispatch_request = dispatch_retrying_reads  # type: ignore[method-assign]
