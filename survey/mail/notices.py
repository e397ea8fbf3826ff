"""Report notices: when a wave closes, every leadership and unit-head account is told by mail
that its report can be read, with a link and never a figure (issue 11).

Queued once per (wave, account) — the table's key — so closing by hand and the schedule's
``notify`` action together still send one mail each.  The worker drains these rows after the
invitation queue, with the same pacing, retries and back-off.  Services never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, select, update

from survey import audit
from survey.db import DbSession
from survey.mail.models import MailStatus, ReportNotice
from survey.models import Role, User, Wave

#: ``app.extensions`` key of the function giving a closed wave's report path (set by app.py:
#: the reports package knows quarters, and survey never imports reports).
REPORT_PATH_KEY = "naranu.report_path"

#: Roles told that a report is ready.
READERS = (Role.LEADERSHIP, Role.UNIT_HEAD)


@dataclass(frozen=True)
class ClaimedNotice:
    """The notice the worker is sending now, with what it needs to write the mail."""

    wave_id: int
    user_id: int
    email: str
    language: str | None
    report_path: str
    label: str
    attempts: int
    active: bool


def report_path(wave: Wave) -> str:
    """The path of the report that includes ``wave`` (the reports home without the wiring)."""
    make = current_app.extensions.get(REPORT_PATH_KEY)
    return make(wave) if make is not None else "/reports/"


def queue_report_notices(session: DbSession, wave: Wave,
                         actor: tuple[str, int | None] = ("system", None)) -> int:
    """Queue a notice for each active reader not yet told about ``wave``; returns how many."""
    if not wave.closed:
        raise ValueError(f"wave {wave.id} is not closed: its report is not ready")
    told = select(ReportNotice.user_id).where(ReportNotice.wave_id == wave.id)
    readers = list(session.scalars(select(User.id).where(
        User.active.is_(True), User.role.in_([str(r) for r in READERS]),
        User.id.not_in(told)).order_by(User.id)))
    if readers:
        path = report_path(wave)
        session.execute(ReportNotice.__table__.insert(), [
            {"wave_id": wave.id, "user_id": user_id, "report_path": path,
             "status": MailStatus.PENDING, "attempts": 0} for user_id in readers])
        audit.record(session, "report_notices_queued", actor[0], actor[1], wave=wave.label,
                     n=len(readers))
    return len(readers)


def announce_results(session: DbSession, wave: Wave,
                     actor: tuple[str, int | None] = ("system", None)) -> int | None:
    """Queue the notices for a just-closed wave when a mail server is configured (else None:
    nothing could send them, and a later ``tick`` or close does not repeat a sent one)."""
    if not current_app.config.get("MAIL_SERVER"):
        return None
    return queue_report_notices(session, wave, actor)


def notices_line(queued: int | None) -> str:
    """What a command prints about the notices (English, like every command line)."""
    if queued is None:
        return "no report notices: mail is not configured"
    return f"{queued} report notices queued"


def claim_next(session: DbSession, now: dt.datetime) -> ClaimedNotice | None:
    """The next due pending notice, locked for this worker (as :func:`queue.claim_next`)."""
    row = session.execute(
        select(ReportNotice.wave_id, ReportNotice.user_id, User.email, User.language,
               ReportNotice.report_path, Wave.label, ReportNotice.attempts, User.active)
        .join(User, User.id == ReportNotice.user_id).join(Wave, Wave.id == ReportNotice.wave_id)
        .where(ReportNotice.status == MailStatus.PENDING, _due(now))
        .order_by(ReportNotice.status, ReportNotice.wave_id, ReportNotice.user_id).limit(1)
        .with_for_update(skip_locked=True, of=ReportNotice)
    ).first()
    return None if row is None else ClaimedNotice(*row)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(ReportNotice.not_before.is_(None), ReportNotice.not_before <= now)


def settle(session: DbSession, claimed: ClaimedNotice, outcome: MailStatus) -> None:
    """Record the final state; the retry count and time go."""
    _update(session, claimed, status=outcome, attempts=0, not_before=None)


def retry_later(session: DbSession, claimed: ClaimedNotice, at: dt.datetime) -> None:
    """Leave the notice pending, to be tried again at ``at``."""
    _update(session, claimed, status=MailStatus.PENDING, attempts=claimed.attempts + 1,
            not_before=at)


def _update(session: DbSession, claimed: ClaimedNotice, **values: object) -> None:
    session.execute(update(ReportNotice).where(
        ReportNotice.wave_id == claimed.wave_id, ReportNotice.user_id == claimed.user_id,
    ).values(**values))


def pending_count(session: DbSession) -> int:
    """How many notices are still to be sent."""
    return session.scalar(select(func.count()).select_from(ReportNotice)
                          .where(ReportNotice.status == MailStatus.PENDING)) or 0


def next_retry(session: DbSession) -> dt.datetime | None:
    """When the earliest notice waiting for a retry becomes due."""
    return session.scalar(select(func.min(ReportNotice.not_before))
                          .where(ReportNotice.status == MailStatus.PENDING))
