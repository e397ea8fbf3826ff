"""Export tables and their two file formats: CSV for Excel (UTF-8 with BOM) and XLSX.

Every cell that a spreadsheet could read as a formula (``= + - @``, a tab or a carriage
return at the start) is prefixed with a single quote, in both formats, so that an answer or
a group name can never run as a formula on HR's computer (OWASP, "CSV Injection").  That
holds for every cell written, translated notes and column labels included.

A sheet is laid out as ``# `` note lines, a ``# `` line of column labels for people, the
header row of column keys, then the rows: a reader that skips lines whose first cell starts
with ``# `` finds the same table in every language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Value = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    """One table of an export: a name, notes and column labels above it, a header and rows.

    ``labels`` name the header's columns for people (one per column, or none at all).
    """

    name: str
    header: tuple[str, ...]
    rows: list[tuple[Value, ...]]
    notes: tuple[str, ...] = field(default=())
    labels: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.labels and len(self.labels) != len(self.header):
            raise ValueError(f"sheet {self.name!r}: {len(self.labels)} labels for "
                             f"{len(self.header)} columns")

    def preamble(self) -> list[list[Value]]:
        """The ``# `` lines above the header: each note, then the column labels."""
        lines: list[list[Value]] = [[f"# {note}"] for note in self.notes]
        if self.labels:
            lines.append([f"# {self.labels[0]}", *self.labels[1:]])
        return lines


def neutralise(value: Value) -> Value:
    """A cell value that no spreadsheet will evaluate; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(sheets: Sequence[Sheet]) -> bytes:
    """All sheets in one CSV file, each as a section: ``# `` lines, header, rows, blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        writer.writerows([neutralise(v) for v in line] for line in sheet.preamble())
        writer.writerow([neutralise(h) for h in sheet.header])
        writer.writerows([neutralise(v) for v in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, one worksheet per sheet (the ``# `` lines in the first rows)."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        target = book.create_sheet(sheet.name[:31])
        for line in sheet.preamble():
            target.append([neutralise(v) for v in line])
        target.append([neutralise(h) for h in sheet.header])
        for row in sheet.rows:
            target.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
