"""Working days: weekends, Japanese public holidays and the year-end closure are not."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.cadence.calendar import is_working_day, working_day_from


@pytest.mark.parametrize(("day", "working"), [
    (dt.date(2027, 5, 3), False),   # 憲法記念日 (Monday)
    (dt.date(2027, 5, 6), True),    # the Thursday after Golden Week
    (dt.date(2027, 3, 22), False),  # 振替休日 for 春分の日 on a Sunday
    (dt.date(2026, 9, 22), False),  # 国民の休日 between 敬老の日 and 秋分の日
    (dt.date(2027, 1, 2), False),   # year-end closure (a Saturday anyway)
    (dt.date(2027, 1, 4), True),
    (dt.date(2026, 12, 29), False),  # year-end closure on a Tuesday
    (dt.date(2026, 12, 28), True),
    (dt.date(2027, 5, 8), False),   # Saturday
])
def test_working_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_counting_working_days_skips_golden_week() -> None:
    assert working_day_from(dt.date(2027, 5, 1), 1) == dt.date(2027, 5, 6)
    assert working_day_from(dt.date(2027, 5, 6), 10) == dt.date(2027, 5, 19)


def test_counting_from_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        working_day_from(dt.date(2027, 5, 1), 0)
