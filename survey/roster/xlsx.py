"""Streaming reader for the first sheet of an .xlsx roster.

openpyxl, even in read-only mode, builds a Python object per cell and per style and reads the
whole shared-string table into a list of ``str`` objects: a legitimate 199,000-row roster took
minutes and peaked at 1.7 GB, and the worker kept much of it afterwards.  A roster needs far
less: the values of the first sheet's cells, row by row.  This module reads the sheet's XML
with :func:`xml.etree.ElementTree.iterparse` straight from the zip member, keeps one row in
memory at a time (each element is cleared once read) and holds the shared strings in one
UTF-8 buffer with an offset table, so the table costs its own size plus eight bytes a string
instead of a ~50-byte object each.  The archive's member sizes are checked by the caller
(``parsing.check_archive``) before this module opens anything, so every buffer here is bounded
by those limits.

Values are the ones openpyxl gives with ``read_only=True, data_only=True`` (``None``, ``str``,
``int``, ``float``, ``bool``, ``datetime``/``time``/``timedelta`` for date-formatted numbers;
a formula cell gives its cached result), so the two readers are interchangeable; the tests
compare them on generated workbooks.  Date formats and the 1900/1904 calendars are decided
with openpyxl's own helpers, which keeps Excel's rules in one maintained place.
"""

from __future__ import annotations

import posixpath
import zipfile
from array import array
from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Any
from xml.etree.ElementTree import XMLParser, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROW, _CELL, _VALUE, _INLINE = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}v", f"{_MAIN}is"
_TEXT, _PHONETIC, _SHARED_ITEM = f"{_MAIN}t", f"{_MAIN}rPh", f"{_MAIN}si"
#: Bytes handed to the XML parser at a time: rows are yielded between chunks.
_CHUNK = 2**16
#: Decoded shared strings kept for reuse (cleared when full: unique e-mail addresses pass
#: through, the few values that repeat come back at once).
_RECENT_STRINGS = 4096
_DIGITS = "0123456789"
_DEFAULT_WORKBOOK = "xl/workbook.xml"
Row = tuple[int, list[Any]]


class SharedStrings:
    """The workbook's shared-string table, compactly: UTF-8 text in one buffer plus offsets."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = array("Q")
        self._recent: dict[int, str] = {}

    def append(self, text: str) -> None:
        """Add the next string (index ``len(self)``)."""
        self._text += text.encode()
        self._ends.append(len(self._text))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        """The string at ``index``; a repeated one (a unit, a role) is the same object each time,
        which keeps 199,000 rows of the same few dozen values from costing a copy per cell."""
        text = self._recent.get(index)
        if text is None:
            if index < 0:
                raise IndexError(index)
            start = self._ends[index - 1] if index else 0
            text = self._text[start:self._ends[index]].decode()
            if len(self._recent) >= _RECENT_STRINGS:
                self._recent.clear()
            self._recent[index] = text
        return text


def first_sheet_rows(archive: zipfile.ZipFile, max_col: int, max_row: int) -> Iterator[Row]:
    """(row number, values) for each row of the first worksheet holding a value.

    ``values`` runs from column A to the row's last value, ``None`` for empty cells; cells right
    of ``max_col`` are ignored and reading stops at the first row past ``max_row`` (the bounds
    that keep a sheet claiming cells at XFD1048576 from costing more than a roster can hold).
    """
    parts = _Parts(archive)
    strings = _shared_strings(archive, parts.shared_strings)
    dates, durations = _date_styles(archive, parts.styles)
    cells = _Cells(strings, dates, durations, _epoch(archive, parts.workbook))
    with archive.open(parts.first_sheet) as stream:
        yield from _rows(stream, cells, max_col, max_row)


class _Parts:
    """Where the workbook, its first worksheet, shared strings and styles live in the archive."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        names = set(archive.namelist())
        self.workbook = _relation_targets(archive, "", "_rels/.rels").get(
            "officeDocument", [_DEFAULT_WORKBOOK])[0].lstrip("/")
        base = posixpath.dirname(self.workbook)
        rels_name = posixpath.join(base, "_rels", posixpath.basename(self.workbook) + ".rels")
        targets = _relation_targets(archive, base, rels_name)
        by_id = _relation_ids(archive, base, rels_name)
        self.shared_strings = _present(targets.get("sharedStrings", []), names)
        self.styles = _present(targets.get("styles", []), names)
        sheets = [by_id[rid] for rid in _sheet_ids(archive, self.workbook) if rid in by_id]
        worksheets = set(targets.get("worksheet", []))
        first = _present([target for target in sheets if target in worksheets], names)
        if first is None:
            raise KeyError("the workbook has no worksheet")
        self.first_sheet = first


def _present(candidates: list[str], names: set[str]) -> str | None:
    return next((name for name in candidates if name in names), None)


def _relations(archive: zipfile.ZipFile, base: str, rels_name: str
               ) -> Iterator[tuple[str, str, str]]:
    """(id, type's last word, archive path of the target) of each relationship in ``rels_name``."""
    if rels_name not in archive.namelist():
        return
    with archive.open(rels_name) as stream:
        for _event, element in iterparse(stream):
            if element.tag != f"{_PACKAGE_RELS}Relationship" or element.get("TargetMode"):
                continue
            target = element.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(base, target))
            yield element.get("Id", ""), element.get("Type", "").rsplit("/", 1)[-1], path


def _relation_targets(archive: zipfile.ZipFile, base: str, rels_name: str) -> dict[str, list[str]]:
    targets: dict[str, list[str]] = {}
    for _id, kind, path in _relations(archive, base, rels_name):
        targets.setdefault(kind, []).append(path)
    return targets


def _relation_ids(archive: zipfile.ZipFile, base: str, rels_name: str) -> dict[str, str]:
    return {rid: path for rid, _kind, path in _relations(archive, base, rels_name)}


def _sheet_ids(archive: zipfile.ZipFile, workbook: str) -> list[str]:
    """The relationship ids of the workbook's sheets, in the workbook's order."""
    with archive.open(workbook) as stream:
        return [element.get(f"{{{_DOC_RELS}}}id", "") for _event, element in iterparse(stream)
                if element.tag == f"{_MAIN}sheet"]


def _epoch(archive: zipfile.ZipFile, workbook: str) -> Any:
    with archive.open(workbook) as stream:
        for _event, element in iterparse(stream):
            if element.tag == f"{_MAIN}workbookPr":
                flag = element.get("date1904", "").lower()
                return CALENDAR_MAC_1904 if flag in {"1", "true"} else CALENDAR_WINDOWS_1900
    return CALENDAR_WINDOWS_1900


def _shared_strings(archive: zipfile.ZipFile, name: str | None) -> SharedStrings:
    strings = SharedStrings()
    if name is not None:
        with archive.open(name) as stream:
            _feed(stream, _StringsTarget(strings))
    return strings


def _feed(stream: IO[bytes], target: Any) -> None:
    """Parse ``stream`` into ``target`` a chunk at a time (never the whole member in memory)."""
    parser = XMLParser(target=target)
    while chunk := stream.read(_CHUNK):
        parser.feed(chunk)
    parser.close()


class _Text:
    """Collects a string item's text: its ``t`` elements, not those of phonetic (ルビ) runs.

    Shared by the shared-string table (``<si>``) and inline strings (``<is>``), which have the
    same shape: plain ``<t>`` or rich-text runs ``<r><t>``, and ``<rPh>`` furigana to skip.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.collecting = False
        self.phonetic = 0

    def start(self, tag: str) -> None:
        if tag == _TEXT:
            self.collecting = not self.phonetic
        elif tag == _PHONETIC:
            self.phonetic += 1

    def end(self, tag: str) -> None:
        if tag == _TEXT:
            self.collecting = False
        elif tag == _PHONETIC:
            self.phonetic -= 1

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


class _StringsTarget:
    """An XMLParser target filling the shared-string table (no element objects are built)."""

    def __init__(self, strings: SharedStrings) -> None:
        self.strings = strings
        self.text = _Text()

    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        self.text.start(tag)

    def data(self, data: str) -> None:
        if self.text.collecting:
            self.text.parts.append(data)

    def end(self, tag: str) -> None:
        if tag == _SHARED_ITEM:
            self.strings.append(self.text.take())
        else:
            self.text.end(tag)

    def close(self) -> None:
        return None


def _date_styles(archive: zipfile.ZipFile, name: str | None
                 ) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of the cell styles whose number format shows a date, and those showing a duration."""
    if name is None:
        return frozenset(), frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    with archive.open(name) as stream:
        inside_cell_styles = False
        for event, element in iterparse(stream, events=("start", "end")):
            if element.tag == f"{_MAIN}cellXfs":
                inside_cell_styles = event == "start"
            elif event == "end" and element.tag == f"{_MAIN}numFmt":
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif event == "end" and element.tag == f"{_MAIN}xf" and inside_cell_styles:
                formats.append(int(element.get("numFmtId", "0")))
                element.clear()
    codes = [custom.get(number) or BUILTIN_FORMATS.get(number) for number in formats]
    return (frozenset(i for i, code in enumerate(codes) if code and is_date_format(code)),
            frozenset(i for i, code in enumerate(codes) if code and is_timedelta_format(code)))


class _Cells:
    """Turns a cell's type, style and raw text into its value, as openpyxl's reader would."""

    def __init__(self, strings: SharedStrings, dates: frozenset[int], durations: frozenset[int],
                 epoch: Any) -> None:
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch

    def value(self, kind: str, style: str | None, raw: str | None) -> Any:
        if not raw:
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "n":
            return self._number(raw, int(style or 0))
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return from_ISO8601(raw)
        return raw  # "str" (a formula's text), "e" (an error such as #N/A)

    def _number(self, raw: str, style: int) -> Any:
        number = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        if style not in self.dates:
            return number
        try:
            return from_excel(number, self.epoch, timedelta=style in self.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"  # openpyxl's reading of a date serial no calendar holds


def _column_of(reference: str) -> int:
    """'B7' → 2, 'AA1' → 27."""
    return _column_number(reference.rstrip(_DIGITS))


@lru_cache(maxsize=4096)
def _column_number(letters: str) -> int:
    column = 0
    for char in letters.upper():
        column = column * 26 + ord(char) - 64
    return column


def _rows(stream: IO[bytes], cells: _Cells, max_col: int, max_row: int) -> Iterator[Row]:
    """Rows as the parser completes them, a chunk of the file at a time."""
    target = _SheetTarget(cells, max_col, max_row)
    parser = XMLParser(target=target)
    while not target.past_end and (chunk := stream.read(_CHUNK)):
        parser.feed(chunk)
        yield from target.done
        target.done.clear()
    if not target.past_end:
        parser.close()
        yield from target.done


class _SheetTarget:
    """An XMLParser target that keeps only the current row's values and the rows completed
    since the last chunk: no element tree, so memory stays flat however long the sheet."""

    def __init__(self, cells: _Cells, max_col: int, max_row: int) -> None:
        self.cells, self.max_col, self.max_row = cells, max_col, max_row
        self.done: list[Row] = []
        self.past_end = False
        self.number = self.column = 0
        self.values: list[Any] = []
        self.cell: dict[str, str] = {}
        self.raw: list[str] | None = None
        self.inline: _Text | None = None
        self.collecting = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == _CELL:
            self.cell, self.raw, self.inline = attrs, None, None
        elif tag == _VALUE:
            self.raw, self.collecting = [], True
        elif tag == _INLINE:
            self.inline = _Text()
        elif tag == _ROW:
            reference = attrs.get("r")
            self.number = int(reference) if reference else self.number + 1
            self.past_end = self.past_end or self.number > self.max_row
            self.column, self.values, self.inline = 0, [], None
        elif self.inline is not None:
            self.inline.start(tag)

    def data(self, data: str) -> None:
        if self.collecting and self.raw is not None:
            self.raw.append(data)
        elif self.inline is not None and self.inline.collecting:
            self.inline.parts.append(data)

    def end(self, tag: str) -> None:
        if tag == _CELL:
            self._cell_done()
        elif tag == _VALUE:
            self.collecting = False
        elif tag == _INLINE:
            pass  # kept until the cell ends
        elif self.inline is not None:
            self.inline.end(tag)
        elif tag == _ROW and self.values and not self.past_end:
            self.done.append((self.number, self.values))

    def close(self) -> None:
        return None

    def _cell_done(self) -> None:
        cell = self.cell
        reference = cell.get("r")
        column = self.column = _column_of(reference) if reference else self.column + 1
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            value = None if self.inline is None else self.inline.take()
        else:
            raw = self.raw
            value = self.cells.value(kind, cell.get("s"), "".join(raw) if raw else None)
        self.inline = None
        if value is None or column > self.max_col:
            return
        values = self.values
        if column == len(values) + 1:
            values.append(value)
            return
        if column > len(values):
            values.extend([None] * (column - len(values)))
        values[column - 1] = value
