"""Working days of a Japanese public body.

Not working days: Saturdays and Sundays, national holidays (国民の祝日, with substitute and
citizens' holidays) from the maintained ``holidays`` package, and the year-end closure of
29 December to 3 January that the law on government holidays (行政機関の休日に関する法律,
art. 1) gives national offices and local governments copy in their own ordinances.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[dt.date]:
    import holidays  # a large package: imported on the first date asked, not at start-up

    return frozenset(holidays.country_holidays("JP", years=year))


def _year_end_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_working_day(day: dt.date) -> bool:
    """Whether staff are at work on ``day``."""
    return day.weekday() < 5 and not _year_end_closure(day) and (
        day not in _public_holidays(day.year))


def working_day_from(start: dt.date, n: int) -> dt.date:
    """The n-th working day counting from ``start`` (n = 1: ``start`` itself if it is one)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    day = start
    while True:
        if is_working_day(day):
            n -= 1
            if n == 0:
                return day
        day += dt.timedelta(days=1)
