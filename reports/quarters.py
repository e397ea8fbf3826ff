"""Fiscal quarters (DESIGN.md 'quarter'): labels like FY2026Q1, April start by default."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

LABEL = re.compile(r"^FY(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A fiscal quarter; ``start_month`` is the month the fiscal year starts (4 = April)."""

    year: int
    number: int
    start_month: int = 4

    @property
    def label(self) -> str:
        """``FY2026Q1``."""
        return f"FY{self.year}Q{self.number}"

    @property
    def first_day(self) -> dt.date:
        """The first day of the quarter."""
        index = self.year * 12 + (self.start_month - 1) + 3 * (self.number - 1)
        return dt.date(index // 12, index % 12 + 1, 1)

    @property
    def last_day(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Quarter:
        """The following quarter."""
        if self.number == 4:
            return Quarter(self.year + 1, 1, self.start_month)
        return Quarter(self.year, self.number + 1, self.start_month)

    def previous(self) -> Quarter:
        """The quarter before."""
        if self.number == 1:
            return Quarter(self.year - 1, 4, self.start_month)
        return Quarter(self.year, self.number - 1, self.start_month)

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls in this quarter."""
        return self.first_day <= day <= self.last_day


def quarter_of(day: dt.date, start_month: int = 4) -> Quarter:
    """The fiscal quarter containing ``day`` (a fiscal year is named by its start year)."""
    offset = (day.month - start_month) % 12
    year = day.year if day.month >= start_month else day.year - 1
    if start_month == 1:
        year = day.year
    return Quarter(year, offset // 3 + 1, start_month)


def parse_quarter(label: str, start_month: int = 4) -> Quarter:
    """``FY2026Q1`` → Quarter; raises ValueError with the expected format otherwise."""
    match = LABEL.match(label.strip().upper())
    if match is None:
        raise ValueError(f"quarter must look like FY2026Q1, got {label!r}")
    return Quarter(int(match.group(1)), int(match.group(2)), start_month)
