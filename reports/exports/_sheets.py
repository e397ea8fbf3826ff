"""Export tables and their two file formats: a zipped CSV data package, and XLSX.

Every table is plain: one header row of column keys, then the rows.  Excel's import, R's
``read.csv``, pandas, BI tools and ``csv.DictReader`` all read the first row as the header and
every later row as data, so nothing that people read (notes, column labels) may sit in the
table itself.  It travels beside it instead:

* CSV → a zip holding each table as ``<name>.csv`` (UTF-8 with BOM, for Excel) and a
  Frictionless Tabular Data Package descriptor, ``datapackage.json``
  (https://specs.frictionlessdata.io/tabular-data-package/): per table its notes as the
  ``description`` and per column its key (``name``), label (``title``) and type;
* XLSX → one worksheet per table and a ``notes`` worksheet (itself a plain table: ``sheet``,
  ``column``, ``label``, ``note``) with the same notes and column labels.

Every cell that a spreadsheet could read as a formula (``= + - @``, a tab or a carriage
return at the start) is prefixed with a single quote, in both formats, so that an answer or
a group name can never run as a formula on HR's computer (OWASP, "CSV Injection").  That
holds for every cell written, translated notes and column labels included.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Value = str | int | float | None
DESCRIPTOR = "datapackage.json"
NOTES_SHEET = "notes"
NOTES_HEADER = ("sheet", "column", "label", "note")
#: A fixed timestamp for zip entries: the archive says nothing about when it was made.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Sheet:
    """One table of an export: a name, a header of keys and rows; notes and column labels.

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

    def label(self, index: int) -> str:
        """People's name of column ``index`` (its key when no labels were given)."""
        return self.labels[index] if self.labels else self.header[index]


def neutralise(value: Value) -> Value:
    """A cell value that no spreadsheet will evaluate; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(sheet: Sheet) -> bytes:
    """One table as CSV for Excel: UTF-8 with BOM, the header row of keys, the rows."""
    buffer = io.BytesIO()
    write_csv(sheet, buffer)
    return buffer.getvalue()


def write_csv(sheet: Sheet, stream: IO[bytes]) -> None:
    """Write ``sheet`` as :func:`to_csv` does, row by row, into a binary stream."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in sheet.header])
    writer.writerows(map(_neutral_row, sheet.rows))
    text.flush()
    text.detach()  # the caller owns the stream


def _neutral_row(row: Sequence[Value]) -> list[Value]:
    return [neutralise(v) for v in row]


def to_package(sheets: Sequence[Sheet], name: str) -> bytes:
    """A zip of every table as CSV and their ``datapackage.json`` descriptor.

    Each table is streamed into its zip entry as it is written, so a large export never
    holds its uncompressed CSV in memory.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            entry = zipfile.ZipInfo(f"{sheet.name}.csv", ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as stream:
                write_csv(sheet, stream)
        descriptor = json.dumps(descriptor_of(sheets, name), ensure_ascii=False, indent=2)
        archive.writestr(zipfile.ZipInfo(DESCRIPTOR, ZIP_TIME), descriptor.encode("utf-8"),
                         zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def descriptor_of(sheets: Sequence[Sheet], name: str) -> dict[str, Any]:
    """The Frictionless Tabular Data Package descriptor of ``sheets``."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "resources": [{
            "name": sheet.name, "path": f"{sheet.name}.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "description": "\n".join(str(neutralise(n)) for n in sheet.notes),
            "schema": {"fields": [
                {"name": key, "title": str(neutralise(sheet.label(i))),
                 "type": _field_type([row[i] for row in sheet.rows])}
                for i, key in enumerate(sheet.header)], "missingValues": [""]},
        } for sheet in sheets],
    }


def _field_type(values: Sequence[Value]) -> str:
    """``integer``, ``number`` or ``string``: the narrowest type every non-empty value has."""
    given = [v for v in values if v not in ("", None)]
    if given and all(isinstance(v, int) and not isinstance(v, bool) for v in given):
        return "integer"
    if given and all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
        return "number"
    return "string"


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One workbook: a worksheet per table (header row, rows) and the ``notes`` worksheet.

    Written in openpyxl's write-only mode: rows go straight to the worksheet's XML instead of
    becoming a cell object each (the normal mode's cost, several hundred bytes per cell).
    """
    from openpyxl import Workbook  # only when a workbook is written (command start-up time)

    book = Workbook(write_only=True)
    for sheet in sheets:
        target = book.create_sheet(sheet.name[:31])
        target.append([neutralise(h) for h in sheet.header])
        for row in sheet.rows:
            target.append(_neutral_row(row))
    notes = book.create_sheet(NOTES_SHEET)
    for line in [NOTES_HEADER, *notes_rows(sheets)]:
        notes.append([neutralise(v) for v in line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def notes_rows(sheets: Sequence[Sheet]) -> list[tuple[str, str, str, str]]:
    """Rows of the ``notes`` worksheet: each table's notes, then its columns and labels."""
    rows: list[tuple[str, str, str, str]] = []
    for sheet in sheets:
        rows.extend((sheet.name, "", "", note) for note in sheet.notes)
        rows.extend((sheet.name, key, sheet.label(i), "") for i, key in enumerate(sheet.header))
    return rows
