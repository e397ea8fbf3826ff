"""The schedule an admin sets, and the dated rounds it gives (pure: no database, no Flask).

Days inside a round are *working* days: a town hall's staff answer at work, so "open for 10
days" means ten days on which they can answer, and a reminder on day 5 falls on a working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from survey.cadence.calendar import working_day_from
from survey.service_error import ServiceError

PERIODS = (1, 2, 3, 4, 6, 12)


class ScheduleError(ServiceError):
    """Why a schedule is refused (worded by :mod:`survey.cadence.messages`)."""


@dataclass(frozen=True)
class Schedule:
    """Every ``every_months`` months from ``first_month``: open on working day ``open_on`` of
    the month, for ``open_days`` working days, with reminders on the listed days of the round."""

    enabled: bool = False
    every_months: int = 1
    first_month: int = 4
    open_on: int = 1
    open_days: int = 10
    reminders: tuple[int, ...] = (5, 8)
    since: dt.date | None = None  # rounds opening before this day are not the schedule's
    survey: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The stored form (a ``setting`` row)."""
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        data["reminders"] = list(self.reminders)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Schedule:
        """The schedule from its stored form (defaults when none is stored)."""
        if not data:
            return cls()
        since = data.get("since")
        return cls(**{**data, "reminders": tuple(data.get("reminders") or ()),
                      "since": dt.date.fromisoformat(since) if since else None})


def validate(schedule: Schedule) -> Schedule:
    """Refuse a schedule whose rounds could not work; returns it unchanged."""
    if schedule.every_months not in PERIODS:
        raise ScheduleError("invalid_period")
    if not 1 <= schedule.first_month <= 12:
        raise ScheduleError("invalid_month")
    if not 1 <= schedule.open_on <= 15:
        raise ScheduleError("invalid_open_on")
    if not 2 <= schedule.open_days <= 40:
        raise ScheduleError("invalid_open_days")
    if any(not 2 <= day <= schedule.open_days for day in schedule.reminders):
        raise ScheduleError("invalid_reminder")
    return schedule


@dataclass(frozen=True)
class Round:
    """One wave the schedule opens: its period label and its dates."""

    period: str
    opens_on: dt.date
    closes_on: dt.date
    reminders: tuple[tuple[int, dt.date], ...] = field(default=())

    @property
    def close_on(self) -> dt.date:
        """The day the round is closed: the first day after its last day."""
        return self.closes_on + dt.timedelta(days=1)


def round_of(schedule: Schedule, year: int, month: int) -> Round:
    """The round of the period starting in ``year``-``month``."""
    opens = working_day_from(dt.date(year, month, 1), schedule.open_on)
    closes = working_day_from(opens, schedule.open_days)
    reminders = tuple((number, working_day_from(opens, day))
                      for number, day in enumerate(sorted(set(schedule.reminders)), start=1))
    return Round(f"{year:04d}-{month:02d}", opens, closes, reminders)


def rounds_near(schedule: Schedule, day: dt.date, before: int = 2, after: int = 1) -> list[Round]:
    """The rounds of the ``before`` periods up to ``day`` and the ``after`` ones following it."""
    index = _period_index(schedule, day.year, day.month)
    rounds = []
    for offset in range(-before + 1, after + 1):
        year, month = divmod(schedule.first_month - 1 + (index + offset) * schedule.every_months,
                             12)
        found = round_of(schedule, year, month + 1)
        if schedule.since is None or found.opens_on >= schedule.since:
            rounds.append(found)
    return rounds


def _period_index(schedule: Schedule, year: int, month: int) -> int:
    """Which period (counted from year 0's first month) holds ``year``-``month``."""
    months = year * 12 + month - schedule.first_month
    return months // schedule.every_months
