"""Rounds from a schedule (pure): periods, working-day dates, validation, stored form."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.cadence.plan import Schedule, ScheduleError, round_of, rounds_near, validate


def test_a_round_counts_working_days_from_its_opening() -> None:
    found = round_of(Schedule(open_on=1, open_days=10, reminders=(8, 5)), 2027, 5)
    assert (found.opens_on, found.closes_on, found.close_on) == (
        dt.date(2027, 5, 6), dt.date(2027, 5, 19), dt.date(2027, 5, 20))
    assert found.reminders == ((1, dt.date(2027, 5, 12)), (2, dt.date(2027, 5, 17)))


def test_quarterly_rounds_follow_the_fiscal_year() -> None:
    schedule = Schedule(enabled=True, every_months=3, first_month=4)
    periods = [r.period for r in rounds_near(schedule, dt.date(2027, 8, 20), before=2, after=1)]
    assert periods == ["2027-04", "2027-07", "2027-10"]


def test_rounds_before_the_schedule_was_switched_on_are_not_its_own() -> None:
    schedule = Schedule(enabled=True, since=dt.date(2027, 5, 10))
    assert [r.period for r in rounds_near(schedule, dt.date(2027, 5, 12))] == ["2027-06"]


@pytest.mark.parametrize("changes", [
    {"every_months": 5}, {"first_month": 13}, {"open_on": 0}, {"open_days": 1},
    {"open_days": 10, "reminders": (11,)}, {"reminders": (1,)},
])
def test_unworkable_schedules_are_refused(changes: dict) -> None:
    with pytest.raises(ScheduleError):
        validate(Schedule(**changes))


def test_the_stored_form_gives_the_same_schedule() -> None:
    schedule = Schedule(enabled=True, reminders=(3, 6), since=dt.date(2027, 1, 4), survey="s")
    assert Schedule.from_json(schedule.to_json()) == schedule
    assert Schedule.from_json(None) == Schedule()
