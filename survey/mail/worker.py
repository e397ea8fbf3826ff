"""The mail worker: drains the queue at a bounded rate, retries with back-off, never twice.

One row at a time: claim it, write the envelope and the message but its final line, record
it as sent, write the final line (see :mod:`survey.mail.smtp` for why this order).  A
temporary refusal (4xx) leaves the row pending until ``MAIL_RETRY_SECONDS`` × 2^attempts
later; after ``MAIL_MAX_ATTEMPTS`` tries, or on a final refusal (5xx), the row is failed.
When the server cannot be reached no row is blamed: the worker stops (``--once``) or waits.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from survey.db import DbSession, begin_relaxed_write, begin_write, is_sqlite
from survey.mail import notices, queue
from survey.mail.compose import WaveLetter, compose, compose_report_notice, letter_of
from survey.mail.models import MailKind, MailStatus
from survey.mail.smtp import Refusal, Relay, ServerUnavailable, wire_bytes
from survey.models import Invitation, Wave, utcnow
from survey.results_links import LATEST, results_path
from survey.waves.services import WaveStatus, status
from survey.waves.tokens import derive_token, hash_token

#: A claimed row of either queue.
Job = queue.Claimed | notices.ClaimedNotice


class WorkerBusy(RuntimeError):
    """Another worker already drains this SQLite database (SQLite allows one)."""


@dataclass
class Tally:
    """What one run did: rows settled as sent or failed, rows still pending."""

    sent: int = 0
    failed: int = 0
    left: int = 0

    def line(self) -> str:
        """The one line ``mail work`` prints."""
        return f"{self.sent} sent, {self.failed} failed, {self.left} left"


@dataclass(frozen=True)
class _Wave:
    letter: WaveLetter
    opens_on: dt.date
    closes_on: dt.date
    closed: bool = False


class Worker:
    """Sends queued mail through one SMTP session; the caller holds :func:`exclusive`."""

    def __init__(self, session: DbSession, config: Mapping[str, Any],
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.session = session
        self.config = config
        self.clock = clock
        self.relay = Relay(config)
        self.tally = Tally()
        self.waves: dict[int, _Wave] = {}
        rate = float(config.get("MAIL_RATE") or 0)
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.last_send = float("-inf")

    def drain(self) -> Tally:
        """Send until no row is pending (waiting out retries); raises ServerUnavailable."""
        try:
            while self.step() or self._wait_for_retry():
                pass
        finally:
            self.relay.close()
        self.tally.left = queue.pending_count(self.session)
        self.session.rollback()
        return self.tally

    def step(self) -> bool:
        """Handle the next due row (invitations first, then report notices); False when none
        is due."""
        claimed = queue.claim_next(self.session, self.clock())
        if claimed is None:
            return self._notice_step()
        wave = self._wave(claimed.wave_id)
        if status(wave) in (WaveStatus.EXPIRED, WaveStatus.CLOSED):
            self._settle(claimed, MailStatus.FAILED)  # its link would no longer work
        elif claimed.kind == MailKind.REMINDER and self._answered(wave, claimed):
            self._settle(claimed, MailStatus.SENT)  # handled: no reminder for a used link
        else:
            self._send(claimed, wave)
        return True

    def _send(self, claimed: queue.Claimed, wave: _Wave) -> None:
        token = derive_token(self.config["TOKEN_KEY"], wave.letter.public_id, claimed.employee_id)
        link = f"{self.config['PUBLIC_BASE_URL'].rstrip('/')}/s/{token}"
        base = self.config["PUBLIC_BASE_URL"].rstrip("/")
        results = base + results_path(self.config["TOKEN_KEY"], LATEST)
        message = compose(self.config["MAIL_FROM"], wave.letter, claimed.email, link,
                          reminder=claimed.kind == MailKind.REMINDER, results=results)
        self._deliver(claimed, claimed.email, message)

    def _notice_step(self) -> bool:
        """Send the next due report notice; False when none is due."""
        claimed = notices.claim_next(self.session, self.clock())
        if claimed is None:
            self.session.rollback()
            return False
        if not claimed.active:  # deactivated since the wave closed: it may no longer read
            self._settle(claimed, MailStatus.FAILED)
            return True
        link = self.config["PUBLIC_BASE_URL"].rstrip("/") + claimed.report_path
        self._deliver(claimed, claimed.email, compose_report_notice(
            self.config["MAIL_FROM"], claimed.email, claimed.label, link, claimed.language))
        return True

    def _deliver(self, claimed: Job, email: str, message: EmailMessage) -> None:
        """Hand the message to the relay, record it as sent, then finish it (see module doc)."""
        self._pace()
        try:
            self.relay.prepare(self.config["MAIL_FROM"], email, wire_bytes(message))
        except Refusal as refusal:
            self._refused(claimed, refusal)
            return
        except ServerUnavailable:
            self.session.rollback()
            raise
        begin_relaxed_write(self.session)
        _store(claimed).settle(self.session, claimed, MailStatus.SENT)
        try:
            self._commit_then(self.relay.finish)
        except Refusal as refusal:
            self._refused(claimed, refusal)
        else:
            self.tally.sent += 1

    def _commit_then(self, deliver: Callable[[], None]) -> None:
        """Commit on the database connection itself, then ``deliver`` in the next statement.

        A crash between the two loses the message (recorded as sent, never finished), so the
        gap is kept as short as Python allows: the commit does not wait for the disk
        (:func:`survey.db.begin_relaxed_write`), and the session's own commit would first
        return the connection to the pool and release the SQLite writer lock.  The session's
        commit afterwards finds nothing left to commit and only does that bookkeeping.
        """
        self.session.connection().connection.commit()
        try:
            deliver()
        finally:
            self.session.commit()

    def _pace(self) -> None:
        """Keep to MAIL_RATE messages per second (relays throttle or block faster senders)."""
        wait = self.last_send + self.interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_send = time.monotonic()

    def _refused(self, claimed: Job, refusal: Refusal) -> None:
        attempts = claimed.attempts + 1
        if refusal.temporary and attempts < int(self.config["MAIL_MAX_ATTEMPTS"]):
            delay = float(self.config["MAIL_RETRY_SECONDS"]) * 2 ** (attempts - 1)
            begin_write(self.session)
            _store(claimed).retry_later(
                self.session, claimed, self.clock() + dt.timedelta(seconds=delay))
            self.session.commit()
        else:
            self._settle(claimed, MailStatus.FAILED)

    def _settle(self, claimed: Job, outcome: MailStatus) -> None:
        begin_write(self.session)  # SQLite: end the read, take the write lock for one UPDATE
        _store(claimed).settle(self.session, claimed, outcome)
        self.session.commit()
        if outcome == MailStatus.SENT:
            self.tally.sent += 1
        else:
            self.tally.failed += 1

    def _wait_for_retry(self) -> bool:
        """Sleep until the earliest retry is due; False when nothing is pending at all."""
        due = queue.next_retry(self.session)
        self.session.rollback()
        if due is None:
            return False
        if due.tzinfo is None:  # SQLite returns naive UTC
            due = due.replace(tzinfo=dt.UTC)
        # At least a moment: a due row may be locked by another worker until it commits.
        time.sleep(max(0.05, (due - self.clock()).total_seconds()))
        return True

    def serve(self, idle: float, report: Callable[[Tally], None]) -> None:
        """Run until stopped: send what is due, report each emptied queue, wait, go on."""
        while True:
            try:
                while self.step():
                    pass
            except ServerUnavailable:
                self.relay.close()
                time.sleep(idle * 6)  # the server is down or refusing sessions
                continue
            if self.tally.sent or self.tally.failed:
                self.tally.left = queue.pending_count(self.session)
                self.session.rollback()
                report(self.tally)
                self.tally = Tally()
            self.relay.close()  # do not hold an idle session open on the relay
            time.sleep(idle)

    def _wave(self, wave_id: int) -> _Wave:
        if wave_id not in self.waves:
            wave = self.session.get_one(Wave, wave_id)
            self.waves[wave_id] = _Wave(letter_of(wave), wave.opens_on, wave.closes_on,
                                        wave.closed)
        return self.waves[wave_id]

    def _answered(self, wave: _Wave, claimed: queue.Claimed) -> bool:
        token = derive_token(self.config["TOKEN_KEY"], wave.letter.public_id, claimed.employee_id)
        return bool(self.session.scalar(select(Invitation.spent).where(
            Invitation.token_hash == hash_token(token))))


def _store(claimed: Job) -> Any:
    """The module that keeps this kind of row: the invitation queue or the report notices."""
    return notices if isinstance(claimed, notices.ClaimedNotice) else queue


@contextmanager
def exclusive(session: DbSession, lock_path: str) -> Iterator[None]:
    """On SQLite, make sure this is the only worker (the kernel frees the lock if it dies).

    PostgreSQL needs no such lock: rows are claimed with ``FOR UPDATE SKIP LOCKED``.
    """
    if not is_sqlite(session.get_bind()):
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise WorkerBusy(lock_path) from error
        yield
    finally:
        os.close(fd)
