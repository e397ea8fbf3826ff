"""Reading a roster file (CSV or XLSX) into clean rows, refusing anything doubtful.

Pure: no Flask, no database.  Every refusal is a :class:`RosterError` with a stable code, the
row as a spreadsheet numbers it (the header is row 1) and the column, so that the web page and
the CLI can explain it in the user's language (``survey.roster.services.message``).

Text is NFKC-normalised and stripped, so half-width katakana (ｿｳﾑ課) and full-width digits
(１００１) never split a group or an id in two.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import PurePath
from typing import Any

from email_validator import EmailNotValidError, validate_email

REQUIRED = ("employee_id", "email")
#: Staff without an address (nursery teachers, field crews) get printed slips instead of mail,
#: so only the employee id must have a value; the e-mail column may be empty.
REQUIRED_VALUES = ("employee_id",)
ALIASES = {
    "employee_id": "employee_id", "employeeid": "employee_id",
    "職員番号": "employee_id", "社員番号": "employee_id",
    "email": "email", "e_mail": "email", "メールアドレス": "email", "メール": "email",
}
EXTENSIONS = ("csv", "xlsx")
DELIMITERS = ",\t;"
MAX_ID_LENGTH = 80
MAX_VALUE_LENGTH = 100
MAX_NAME_LENGTH = 100
#: A cell starting with one of these runs as a formula when the data is opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@")
#: Unicode categories refused anywhere: controls, invisible format marks, surrogates, private use
#: and line/paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATOM}(?:\.{_ATOM})*\Z")

Numbered = list[tuple[int, dict[str, str]]]


class CleanRoster(list[dict[str, str]]):
    """Rows that passed every check, with the file's row number and column names.

    The import service accepts these as they are instead of checking them a second time.
    """

    def __init__(self, numbered: Numbered, columns: Sequence[str]) -> None:
        super().__init__(row for _number, row in numbered)
        self.numbers = [number for number, _row in numbered]
        self.columns = list(columns)

    def numbered(self) -> Numbered:
        """(row number, row) pairs, for checks that name a row."""
        return list(zip(self.numbers, self, strict=True))


class RosterError(ValueError):
    """A reason the roster is refused: a stable ``code``, where (``row``, ``column``) and params."""

    def __init__(
        self, code: str, row: int | None = None, column: str | None = None, **params: Any
    ) -> None:
        super().__init__(code)
        self.code = code
        self.row = row
        self.column = column
        self.params = params

    def __repr__(self) -> str:
        return f"RosterError({self.code!r}, row={self.row!r}, column={self.column!r})"


@dataclass(frozen=True)
class _Record:
    """One line of the file as the spreadsheet numbers it, with its cells as text."""

    row: int
    cells: list[str]


def parse_roster(
    filename: str, data: bytes, *, max_rows: int = 200_000, max_bytes: int | None = None,
) -> CleanRoster:
    """Clean roster rows from a .csv or .xlsx file's bytes, or raise :class:`RosterError`."""
    kind = file_kind(filename)
    if max_bytes is not None:
        check_size(len(data), max_bytes)
    if kind == "xlsx":
        records, ragged_ok = _read_xlsx(data, max_rows), True
    else:
        records, ragged_ok = _read_csv(data, max_rows), False
    numbered, labels = _table(records, ragged_ok)
    return CleanRoster(_validate(numbered, labels), list(labels))


def clean_rows(rows: Sequence[dict[str, str]]) -> CleanRoster:
    """Normalise and validate rows given as dicts (row numbers count the header as row 1)."""
    if isinstance(rows, CleanRoster):
        return rows
    if not rows:
        raise RosterError("empty")
    columns = list(dict.fromkeys(name for row in rows for name in row))
    header = _Record(1, [str(name) for name in columns])
    records = [_Record(number, [_as_text(row.get(name)) for name in columns])
               for number, row in enumerate(rows, start=2)]
    numbered, labels = _table([header, *records], ragged_ok=False)
    return CleanRoster(_validate(numbered, labels), list(labels))


def file_kind(filename: str) -> str:
    """'csv' or 'xlsx' from the file name, else ``unsupported_type``."""
    extension = PurePath(filename or "").suffix.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise RosterError("unsupported_type", extension=extension or "-")
    return extension


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file larger than ``max_bytes`` before reading it (``too_large``)."""
    if size > max_bytes:
        raise RosterError("too_large", limit_mb=max(1, max_bytes // (1024 * 1024)))


def parse_hierarchy(text: str | None) -> list[str] | None:
    """'部,課,係' (also 、 or >) → ['部', '課', '係']; blank → None (keep the stored one)."""
    names = [normalize_text(part) for part in re.split(r"[,、>/]", normalize_text(text or ""))]
    names = [name for name in names if name]
    return names or None


def normalize_text(value: str) -> str:
    """NFKC-normalised and stripped (ｿｳﾑ課 → ソウム課, １００１ → 1001, full-width space → ' ')."""
    return unicodedata.normalize("NFKC", value).strip()


def check_hierarchy(
    numbered: Numbered, hierarchy: Sequence[str], columns: Sequence[str]
) -> list[str]:
    """The normalised levels; each is a group column and each unit has exactly one parent."""
    names = [normalize_text(name) for name in hierarchy]
    for position, name in enumerate(names):
        if name in names[:position]:
            raise RosterError("hierarchy_repeated", column=name)
        if name not in columns or name in REQUIRED:
            raise RosterError("hierarchy_column", column=name)
    for broad, fine in pairwise(names):
        _check_parents(numbered, broad, fine)
    return names


def _check_parents(numbered: Numbered, broad: str, fine: str) -> None:
    parent_of: dict[str, tuple[str, int]] = {}
    for number, row in numbered:
        child = row.get(fine, "")
        if not child:
            continue
        parent, first_row = parent_of.setdefault(child, (row.get(broad, ""), number))
        if parent != row.get(broad, ""):
            raise RosterError(
                "hierarchy_parent", row=number, column=fine, value=child, parent_column=broad,
                parent=row.get(broad, "") or "-", other=parent or "-", other_row=first_row,
            )


# -- reading ------------------------------------------------------------------------------------

def _read_csv(data: bytes, max_rows: int) -> list[_Record]:
    if b"\x00" in data:
        raise RosterError("binary")
    return _collect(_csv_records(_decode(data)), max_rows)


def _csv_records(text: str) -> Iterator[_Record]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield _Record(number, cells)
    except csv.Error as error:
        raise RosterError("malformed", row=number + 1) from error


def _decode(data: bytes) -> str:
    """UTF-8 with BOM, else strict UTF-8, else strict CP932 (what Japanese Excel writes)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as error:
            raise RosterError("encoding", row=_line_of(data, error.start + 3)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_bad_line = _line_of(data, error.start)
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise RosterError("encoding", row=first_bad_line) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon: csv.Sniffer, checked against the header line's counts."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and sniffed in first_line:
        return sniffed
    best = max(DELIMITERS, key=first_line.count)
    return best if first_line.count(best) else ","


def _read_xlsx(data: bytes, max_rows: int) -> list[_Record]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise RosterError("not_xlsx")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of error on a broken workbook
        raise RosterError("not_xlsx") from error
    try:
        return _collect(_xlsx_records(workbook), max_rows)
    except RosterError:
        raise
    except Exception as error:
        raise RosterError("not_xlsx") from error
    finally:
        workbook.close()


def _xlsx_records(workbook: Any) -> Iterator[_Record]:
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_as_text(value) for value in values]
        while cells and not cells[-1].strip():
            cells.pop()
        yield _Record(number, cells)


def _as_text(value: Any) -> str:
    """A cell as text: 1001.0 → '1001', dates → ISO 8601, empty → ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _collect(records: Iterable[_Record], max_rows: int) -> list[_Record]:
    """Non-blank records, refusing more than ``max_rows`` people as soon as it is clear."""
    kept: list[_Record] = []
    for record in records:
        if not any(cell.strip() for cell in record.cells):
            continue
        kept.append(record)
        if len(kept) > max_rows + 1:  # + 1: the header
            raise RosterError("too_many_rows", row=record.row, max=max_rows)
    return kept


# -- checking -----------------------------------------------------------------------------------

def _table(records: list[_Record], ragged_ok: bool) -> tuple[Numbered, dict[str, str]]:
    """Rows keyed by canonical column name, and each column's name as written in the file."""
    if not records:
        raise RosterError("empty")
    labels = _header(records[0])
    if len(records) == 1:
        raise RosterError("empty")
    columns = list(labels)
    return [(record.row, _row(record, columns, ragged_ok)) for record in records[1:]], labels


def _header(record: _Record) -> dict[str, str]:
    cells = list(record.cells)
    while cells and not cells[-1].strip():  # empty trailing columns that Excel leaves behind
        cells.pop()
    labels: dict[str, str] = {}
    written: dict[str, str] = {}
    for index, cell in enumerate(cells):
        name = normalize_text(cell)
        if not name:
            raise RosterError("empty_column_name", row=record.row, column=_letter(index))
        _check_text(name, record.row, _letter(index), MAX_NAME_LENGTH, formula=True)
        key = _canonical(name)
        if key.casefold() in written:
            raise RosterError("duplicate_column", row=record.row, column=name,
                              other=written[key.casefold()])
        written[key.casefold()] = name
        labels[key] = name
    for required in REQUIRED:
        if required not in labels:
            raise RosterError("missing_column", row=record.row, column=required)
    return labels


def _canonical(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", name.casefold())
    return ALIASES.get(key, name)


def _letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet labels it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _row(record: _Record, columns: list[str], ragged_ok: bool) -> dict[str, str]:
    width, cells = len(columns), record.cells
    extra = any(cell.strip() for cell in cells[width:])
    if extra or (len(cells) < width and not ragged_ok):
        raise RosterError("field_count", row=record.row, expected=width, found=len(cells))
    cells = cells + [""] * (width - len(cells))
    return {name: normalize_text(cell) for name, cell in zip(columns, cells, strict=False)}


def _validate(numbered: Numbered, labels: dict[str, str]) -> Numbered:
    """Check every cell; employee ids (exact) and e-mails (any case) are unique in the file."""
    first_seen: dict[tuple[str, str], int] = {}
    clean: Numbered = []
    for number, row in numbered:
        row = {name: _clean_cell(name, value, number, labels[name]) for name, value in row.items()}
        for key in (("employee_id", row["employee_id"]), ("email", row["email"].casefold())):
            if not key[1]:
                continue  # several people may have no address
            other = first_seen.setdefault(key, number)
            if other != number:
                raise RosterError("duplicate_value", row=number, column=labels[key[0]],
                                  value=row[key[0]], other_row=other)
        clean.append((number, row))
    return clean


def _clean_cell(name: str, value: str, row: int, label: str) -> str:
    if name in REQUIRED_VALUES and not value:
        raise RosterError("required", row=row, column=label)
    if name == "email" and not value:
        return value
    if name == "employee_id":
        _check_text(value, row, label, MAX_ID_LENGTH, formula=False)
        return value
    if name == "email":
        _check_text(value, row, label, 254, formula=False)
        address = normalize_email(value)
        if address is None:
            raise RosterError("invalid_email", row=row, column=label)
        return address
    _check_text(value, row, label, MAX_VALUE_LENGTH, formula=True)
    return value


def normalize_email(value: str) -> str | None:
    """The address as email_validator normalises it, or None when it is not valid.

    email_validator spends most of its time on the domain, which a roster repeats for everyone:
    a plain ASCII local part (RFC 5322 dot-atom, always valid) is joined to its domain checked
    once per domain; anything else goes through email_validator whole.
    """
    local, at, domain = value.rpartition("@")
    if at and len(local) <= 64 and _DOT_ATOM.match(local):
        checked = _checked_domain(domain)
        if checked is None:
            return None
        if len(local) + 1 + len(checked) <= 254:
            return f"{local}@{checked}"
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    try:
        return validate_email(f"x@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None


def _check_text(text: str, row: int, column: str, limit: int, *, formula: bool) -> None:
    if not text.isprintable() and any(  # isprintable: a fast path for ordinary text
        unicodedata.category(char) in REFUSED_CATEGORIES for char in text
    ):
        raise RosterError("control", row=row, column=column)
    if formula and text.startswith(FORMULA_PREFIXES):
        raise RosterError("formula", row=row, column=column, char=text[0])
    if len(text) > limit:
        raise RosterError("too_long", row=row, column=column, max=limit)
