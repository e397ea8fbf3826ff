"""The mail queue's tables: one batch per request, one row per invitee of the batch.

A row is keyed by (batch, person) and carries only the state of the job.  The link is derived
again from the token key when the mail is written, so the queue never holds a token; the
retry time is cleared once a row is settled, so a sent row keeps no time stamp either.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Model
from survey.models import utcnow


class MailKind(StrEnum):
    """What a batch sends: the first invitation or a reminder of the same link."""

    INVITATION = "invitation"
    REMINDER = "reminder"


class MailStatus(StrEnum):
    """The only thing recorded per invitee (for reminders, SENT means "handled")."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class MailBatch(Model):
    """One request to mail a wave's invitees (an admin's click, a command or the schedule)."""

    __tablename__ = "mail_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    kind: Mapped[MailKind] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MailMessage(Model):
    """One invitee's mail in a batch: its state, and while pending, when to try again."""

    __tablename__ = "mail_message"
    # The worker asks for the next pending row in key order; without status first in an index
    # it would step over every row already sent, each time.
    __table_args__ = (Index("ix_mail_message_queue", "status", "batch_id", "person_id"),)

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("mail_batch.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    status: Mapped[MailStatus] = mapped_column(String(10), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ReportNotice(Model):
    """"The report of a closed wave is ready": one row per (wave, account), so never twice.

    Addressed to a staff-side account (leadership, unit heads), not to an invitee; it carries
    the report's path, never a figure.  Settled rows stay, as the record that the account was
    told (the key is what makes queueing again do nothing).
    """

    __tablename__ = "report_notice"
    __table_args__ = (Index("ix_report_notice_queue", "status", "wave_id", "user_id"),)

    wave_id: Mapped[int] = mapped_column(
        ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    report_path: Mapped[str] = mapped_column(String(200))
    status: Mapped[MailStatus] = mapped_column(String(10), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
