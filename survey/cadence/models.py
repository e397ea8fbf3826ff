"""What the schedule did: one row per (period, action), which is what makes ``tick`` idempotent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Model
from survey.models import utcnow


class ScheduleRun(Model):
    """An action the schedule took (or skipped) for one round, with the line ``tick`` printed."""

    __tablename__ = "schedule_run"
    __table_args__ = (UniqueConstraint("period", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[dt.date] = mapped_column(Date)
    ran_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(40))
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("wave.id"))
    line: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
