"""Queue services: put a wave's mail in the queue, hand the worker one row at a time, settle it.

Services take a session and never commit (the command or view owns the transaction).  A
reminder batch holds *every* invitee with an address, not only those who have not answered:
the worker checks the link when it writes the mail and skips a used one, and the row ends
"sent" either way.  So the queue never lists who has answered (docs/anonymity.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, update

from survey.db import DbSession
from survey.mail import notices
from survey.mail.models import MailBatch, MailKind, MailMessage, MailStatus
from survey.models import Person, Wave, WaveMember
from survey.service_error import ServiceError
from survey.waves.services import WaveError, WaveStatus, status


class MailQueueError(ServiceError):
    """Why mail cannot be queued (worded by :mod:`survey.mail.messages`)."""


@dataclass(frozen=True)
class Claimed:
    """The row the worker is sending now, with what it needs to write the mail."""

    batch_id: int
    person_id: int
    kind: MailKind
    wave_id: int
    email: str
    employee_id: str
    attempts: int


def queue_mail(session: DbSession, wave: Wave, kind: MailKind) -> int:
    """Queue one mail per invitee with an address; returns how many were queued."""
    if status(wave) in (WaveStatus.CLOSED, WaveStatus.EXPIRED):
        raise WaveError("wave_not_open")
    if kind == MailKind.REMINDER and _pending(session, wave, kind):
        raise MailQueueError("reminders_pending")
    people = list(session.scalars(_addressees(wave, kind)))
    if not people:
        return 0
    batch = MailBatch(wave_id=wave.id, kind=kind)
    session.add(batch)
    session.flush()
    session.execute(MailMessage.__table__.insert(), [
        {"batch_id": batch.id, "person_id": person_id, "status": MailStatus.PENDING,
         "attempts": 0} for person_id in people])
    return len(people)


def addressee_count(session: DbSession, wave: Wave, kind: MailKind) -> int:
    """How many mails :func:`queue_mail` would queue now (for the confirmation step)."""
    return session.scalar(select(func.count()).select_from(
        _addressees(wave, kind).subquery())) or 0


def _addressees(wave: Wave, kind: MailKind) -> Select[int]:
    """Invitees with an address; for invitations, only those not yet sent or being sent."""
    query = (select(Person.id).join(WaveMember, WaveMember.person_id == Person.id)
             .where(WaveMember.wave_id == wave.id, Person.email != "").order_by(Person.id))
    if kind == MailKind.INVITATION:
        query = query.where(Person.id.not_in(
            select(MailMessage.person_id).join(MailBatch)
            .where(MailBatch.wave_id == wave.id, MailBatch.kind == kind,
                   MailMessage.status != MailStatus.FAILED)))
    return query


def _pending(session: DbSession, wave: Wave, kind: MailKind) -> bool:
    return session.execute(
        select(func.count()).select_from(MailMessage).join(MailBatch)
        .where(MailBatch.wave_id == wave.id, MailBatch.kind == kind,
               MailMessage.status == MailStatus.PENDING)).scalar_one() > 0


def claim_next(session: DbSession, now: dt.datetime) -> Claimed | None:
    """The next due pending row, locked for this worker (PostgreSQL: ``SKIP LOCKED``).

    On PostgreSQL the row lock lasts until the caller commits, so several workers never take
    the same row; SQLite ignores the clause and the worker holds a file lock instead.
    """
    row = session.execute(
        select(MailMessage.batch_id, MailMessage.person_id, MailBatch.kind, MailBatch.wave_id,
               Person.email, Person.employee_id, MailMessage.attempts)
        .join(MailBatch, MailBatch.id == MailMessage.batch_id)
        .join(Person, Person.id == MailMessage.person_id)
        .where(MailMessage.status == MailStatus.PENDING, _due(now))
        .order_by(MailMessage.status, MailMessage.batch_id, MailMessage.person_id).limit(1)
        .with_for_update(skip_locked=True, of=MailMessage)
    ).first()
    return None if row is None else Claimed(*row)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(MailMessage.not_before.is_(None), MailMessage.not_before <= now)


def settle(session: DbSession, claimed: Claimed, outcome: MailStatus) -> None:
    """Record the final state; the retry count and time go, so a settled row says no more."""
    _update(session, claimed, status=outcome, attempts=0, not_before=None)


def retry_later(session: DbSession, claimed: Claimed, at: dt.datetime) -> None:
    """Leave the row pending, to be tried again at ``at``."""
    _update(session, claimed, status=MailStatus.PENDING, attempts=claimed.attempts + 1,
            not_before=at)


def _update(session: DbSession, claimed: Claimed, **values: object) -> None:
    session.execute(update(MailMessage).where(
        MailMessage.batch_id == claimed.batch_id, MailMessage.person_id == claimed.person_id,
    ).values(**values))


def pending_count(session: DbSession) -> int:
    """How many rows are still to be sent (due now or waiting for a retry), report notices
    included."""
    return (session.scalar(select(func.count()).select_from(MailMessage)
                           .where(MailMessage.status == MailStatus.PENDING)) or 0
            ) + notices.pending_count(session)


def next_retry(session: DbSession) -> dt.datetime | None:
    """When the earliest row (or report notice) waiting for a retry becomes due."""
    times = [session.scalar(select(func.min(MailMessage.not_before))
                            .where(MailMessage.status == MailStatus.PENDING)),
             notices.next_retry(session)]
    found = [time for time in times if time is not None]
    return min(found) if found else None


def progress(session: DbSession) -> dict[int, dict[MailKind, Counter[MailStatus]]]:
    """Per open wave and kind, how many rows are pending, sent and failed (counts only)."""
    rows = session.execute(
        select(MailBatch.wave_id, MailBatch.kind, MailMessage.status, func.count())
        .join(MailMessage, MailMessage.batch_id == MailBatch.id)
        .group_by(MailBatch.wave_id, MailBatch.kind, MailMessage.status))
    result: dict[int, dict[MailKind, Counter[MailStatus]]] = {}
    for wave_id, kind, state, count in rows:
        result.setdefault(wave_id, {}).setdefault(MailKind(kind), Counter())[
            MailStatus(state)] = count
    return result


def forget_mail(session: DbSession, wave: Wave) -> None:
    """Delete a closing wave's queue: afterwards not even the mail rows remain."""
    batches = select(MailBatch.id).where(MailBatch.wave_id == wave.id)
    session.execute(delete(MailMessage).where(MailMessage.batch_id.in_(batches)))
    session.execute(delete(MailBatch).where(MailBatch.wave_id == wave.id))
