"""Export tables and their two file formats: CSV for Excel (UTF-8 with BOM) and XLSX.

Every cell that a spreadsheet could read as a formula (``= + - @``, a tab or a carriage
return at the start) is prefixed with a single quote, in both formats, so that an answer or
a group name can never run as a formula on HR's computer (OWASP, "CSV Injection").
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
    """One table of an export: a name, notes printed above it, a header and rows."""

    name: str
    header: tuple[str, ...]
    rows: list[tuple[Value, ...]]
    notes: tuple[str, ...] = field(default=())


def neutralise(value: Value) -> Value:
    """A cell value that no spreadsheet will evaluate; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(sheets: Sequence[Sheet]) -> bytes:
    """All sheets in one CSV file, each as a section: ``# notes``, header, rows, blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        for note in sheet.notes:
            writer.writerow([neutralise(f"# {note}")])
        writer.writerow([neutralise(h) for h in sheet.header])
        writer.writerows([neutralise(v) for v in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, one worksheet per sheet (notes in the first rows)."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        target = book.create_sheet(sheet.name[:31])
        for note in sheet.notes:
            target.append([neutralise(f"# {note}")])
        target.append([neutralise(h) for h in sheet.header])
        for row in sheet.rows:
            target.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
