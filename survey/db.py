"""The one place that configures the database engine and session lifecycle.

SQLite is the embedded default: WAL journal, ``synchronous=FULL`` so an acknowledged answer
survives a power cut, foreign keys on, and a busy timeout so concurrent writers queue instead of
failing.  Writers start with ``BEGIN IMMEDIATE`` (see :func:`begin_write`): a deferred transaction
that reads first and writes later fails at once with "database is locked" when another writer got
there in between, which would turn survey-day load into errors.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Table, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session


class Base(DeclarativeBase):
    """Declarative base shared by every model."""

    if TYPE_CHECKING:
        # Every model maps a plain table (SQLAlchemy types it as any selectable), so the core
        # ``insert()`` the bulk writers use is there.
        __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

# The base every model subclasses.  Flask-SQLAlchemy builds ``db.Model`` at run time from
# :class:`Base` (same registry and metadata, plus its bind and naming mixins), but types it only
# as "some model class", which a type checker cannot subclass; it is shown :class:`Base` instead.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

#: What a service takes: a plain ORM session (commands, tests) or Flask-SQLAlchemy's
#: request-scoped one (``db.session`` in views), which proxies the same methods.
DbSession: TypeAlias = Session | scoped_session[Any]

_IMMEDIATE = "naranu_begin_immediate"
#: Execution option: commit without waiting for the disk (see :func:`begin_relaxed_write`).
RELAXED = "naranu_relaxed_sync"


def is_sqlite(engine: Engine | Connection) -> bool:
    """Whether the engine talks to SQLite (which needs the pragmas and BEGIN IMMEDIATE)."""
    return engine.dialect.name == "sqlite"


def configure_engine(engine: Engine) -> None:
    """Install the SQLite pragmas and transaction handling on a freshly created engine."""
    if not is_sqlite(engine):
        return
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    database = engine.url.database
    if database and database != ":memory:":
        queue = WriterQueue(database + "-writers")
        event.listen(engine, "connect", queue.on_connect)
        event.listen(engine, "checkin", queue.release)
        event.listen(engine, "close", queue.on_close)


class WriterQueue:
    """Writers of one SQLite file wait their turn on an OS file lock before BEGIN IMMEDIATE.

    SQLite's own busy handler makes a blocked writer *sleep* and retry (1, 2, 5 … 100 ms), so
    under survey-day load most waiting is oversleeping.  A blocking ``flock`` wakes the next
    writer the moment the lock is released, across threads and gunicorn worker processes
    alike (each connection has its own open file), and the kernel drops it if a process dies.
    The lock is released when the connection goes back to the pool, right after its commit or
    rollback.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def on_connect(self, _dbapi_connection: Any, record: Any) -> None:
        record.info["writer_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    @staticmethod
    def acquire(info: dict[str, Any]) -> None:
        fd = info.get("writer_fd")
        if fd is not None and not info.get("writer_held"):
            fcntl.flock(fd, fcntl.LOCK_EX)
            info["writer_held"] = True

    @staticmethod
    def release(_dbapi_connection: Any, record: Any) -> None:
        WriterQueue.leave(record.info)

    @staticmethod
    def leave(info: dict[str, Any]) -> None:
        """Let the next writer in (no-op when this connection is not the writer)."""
        if info.pop("writer_held", False):
            fcntl.flock(info["writer_fd"], fcntl.LOCK_UN)

    def on_close(self, dbapi_connection: Any, record: Any) -> None:
        self.release(dbapi_connection, record)
        fd = record.info.pop("writer_fd", None)
        if fd is not None:
            os.close(fd)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite so that BEGIN is ours to emit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        "busy_timeout=30000",
        "secure_delete=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    options = connection.get_execution_options()
    immediate = options.get(_IMMEDIATE, False)
    if immediate:
        WriterQueue.acquire(connection.connection.info)
        _set_synchronous(connection, relaxed=options.get(RELAXED, False))
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _set_synchronous(connection: Any, relaxed: bool) -> None:
    """FULL, or NORMAL for one relaxed write (the pragma cannot change inside a transaction)."""
    info = connection.connection.info
    if info.get(RELAXED, False) != relaxed:
        connection.exec_driver_sql(f"PRAGMA synchronous={'NORMAL' if relaxed else 'FULL'}")
        info[RELAXED] = relaxed


def begin_write(session: DbSession) -> None:
    """Start the session's transaction as a writer.

    Call this before the first query of a transaction that will write.  On SQLite it takes the
    write lock up front (``BEGIN IMMEDIATE``); on PostgreSQL it is a plain transaction.
    """
    real = session() if isinstance(session, scoped_session) else session
    if real.get_bind().dialect.name != "sqlite":
        return
    if real.in_transaction():
        if real.connection().get_execution_options().get(_IMMEDIATE):
            return  # already the writer
        if real.new or real.dirty or real.deleted:
            raise RuntimeError("begin_write() must come before the transaction's first change")
        real.rollback()  # a read-only transaction: start again as the writer
    real.connection(execution_options={_IMMEDIATE: True})


def begin_relaxed_write(session: DbSession) -> None:
    """Start a write whose commit returns before the disk has it (the mail worker's record).

    A commit that waits for ``fsync`` keeps the worker between "recorded as sent" and "sent"
    for milliseconds, long enough for a kill to land there and lose a message.  Without the
    wait the commit is still safe against a crash of the process (the operating system has
    the data); only a power cut can undo it, and then the mail is sent again.  SQLite:
    ``synchronous=NORMAL`` for this transaction; PostgreSQL: ``synchronous_commit = off``.
    """
    real = session() if isinstance(session, scoped_session) else session
    if real.get_bind().dialect.name != "sqlite":
        real.execute(text("SET LOCAL synchronous_commit TO off"))
        return
    if real.in_transaction():
        real.rollback()  # only a read is open: the claim
    real.connection(execution_options={_IMMEDIATE: True, RELAXED: True})


@contextmanager
def write_transaction(connection: Connection) -> Iterator[Connection]:
    """Run a write transaction on ``connection``: committed on exit, rolled back on an error.

    For the survey-day hot path, which needs three Core statements and none of the ORM
    session's bookkeeping.  On SQLite a read transaction still open on the connection is ended
    first (SQLite cannot turn a read snapshot into a write once another writer has committed);
    the write then waits its turn in the writer queue and begins IMMEDIATE, like
    :func:`begin_write`, and gives the turn up as soon as it has committed or rolled back.  On
    PostgreSQL the open transaction simply goes on: its statements see every committed change
    (READ COMMITTED), and ending it would cost two more round trips.
    """
    sqlite = is_sqlite(connection.engine)
    if sqlite:
        if connection.in_transaction():
            connection.rollback()
        connection.execution_options(**{_IMMEDIATE: True})
    transaction = connection.get_transaction() or connection.begin()
    try:
        yield connection
        transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    finally:
        if sqlite:
            WriterQueue.leave(connection.info)
