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
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import PurePath
from typing import Any

from email_validator import EmailNotValidError, validate_email

from survey.service_error import ServiceError

REQUIRED = ("employee_id", "email")
#: Columns that say where someone holds a concurrent post (兼務), in the two shapes HR exports
#: use: one cell naming the units, or repeated rows marked with a post type.
POST_COLUMNS = ("concurrent_units", "post_type")
#: Columns that are not group attributes: never stored as attributes, never a hierarchy level.
RESERVED = REQUIRED + POST_COLUMNS
ALIASES = {
    "employee_id": "employee_id", "employeeid": "employee_id",
    "職員番号": "employee_id", "社員番号": "employee_id",
    "email": "email", "e_mail": "email", "メールアドレス": "email", "メール": "email",
    "concurrent_units": "concurrent_units", "concurrent": "concurrent_units",
    "兼務": "concurrent_units", "兼務先": "concurrent_units", "兼務所属": "concurrent_units",
    "post_type": "post_type", "本務兼務": "post_type", "本兼区分": "post_type",
    "区分": "post_type",
}
#: A header that names the post type only when its values say so: 区分 alone often holds the
#: employment type (正規, 会計年度任用), which must stay an ordinary attribute.
WEAK_ALIASES = frozenset({"区分"})
#: Post-type values (NFKC, casefolded); an empty value is a main post.
POST_TYPES = {"": "main", "本務": "main", "主務": "main", "main": "main", "primary": "main",
              "兼務": "concurrent", "concurrent": "concurrent"}
#: A concurrent_units cell may name several units (NFKC has already turned ／ ， ； into / , ;).
MAX_UNITS_LENGTH = 400
#: Prefix of an id generated for someone without an employee number (see ``generated_id``).
GENERATED_PREFIX = "X-"
EXTENSIONS = ("csv", "xlsx")
DELIMITERS = ",\t;"
MAX_ID_LENGTH = 80
MAX_VALUE_LENGTH = 100
MAX_NAME_LENGTH = 100
#: Group attributes a roster may have.  Reports break down by a handful; fifty is far beyond any
#: real organisation and keeps a hostile file from giving one person a million attributes.
MAX_ATTRIBUTES = 50
MAX_COLUMNS = len(REQUIRED) + MAX_ATTRIBUTES
#: Excel's own last row: a sheet claiming a row beyond it is not a spreadsheet Excel wrote.
EXCEL_MAX_ROWS = 1_048_576
#: A cell starting with one of these runs as a formula when the data is opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@")
#: Unicode categories refused anywhere: controls, invisible format marks, surrogates, private use
#: and line/paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATOM}(?:\.{_ATOM})*\Z")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")

Numbered = list[tuple[int, dict[str, str]]]


class CleanRoster(list[dict[str, str]]):
    """Rows that passed every check, one per person, with the file's row numbers and columns.

    The import service accepts these as they are instead of checking them a second time.
    ``posts`` are the concurrent-post rows of a roster with a post-type column (their person's
    ``employee_id`` is filled in); ``labels`` maps each column to its name as written, for
    errors found later; ``generated_ids`` counts people whose id was made from their e-mail.
    """

    def __init__(self, numbered: Numbered, labels: Mapping[str, str] | Sequence[str],
                 posts: Sequence[tuple[int, dict[str, str]]] = (), generated_ids: int = 0) -> None:
        super().__init__(row for _number, row in numbered)
        self.numbers = [number for number, _row in numbered]
        self.columns = list(labels)
        self.labels = dict(labels) if isinstance(labels, Mapping) else {n: n for n in labels}
        self.posts = list(posts)
        self.generated_ids = generated_ids

    def numbered(self) -> Numbered:
        """(row number, row) pairs, for checks that name a row."""
        return list(zip(self.numbers, self, strict=True))

    def unit_rows(self) -> Numbered:
        """Main and concurrent-post rows in file order: every row that names a unit."""
        return sorted(self.numbered() + self.posts, key=lambda pair: pair[0])


class RosterError(ServiceError):
    """A reason the roster is refused: a stable ``code``, where (``row``, ``column``) and params
    (worded by :mod:`survey.roster.messages`)."""

    def __init__(
        self, code: str, row: int | None = None, column: str | None = None, **params: Any
    ) -> None:
        super().__init__(code, **params)
        self.row = row
        self.column = column

    def __repr__(self) -> str:
        return f"RosterError({self.code!r}, row={self.row!r}, column={self.column!r})"


@dataclass(frozen=True, slots=True)
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
    return _validate(*_table(records, ragged_ok))


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
    return _validate(*_table([header, *records], ragged_ok=False))


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
        if name not in columns or name in RESERVED:
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


@dataclass(frozen=True)
class ArchiveLimits:
    """How far an .xlsx archive may unpack, checked from its directory before anything is parsed.

    The shared strings and the styles are read whole before the first row (``xlsx.py``), so a
    small file whose members unpack a thousandfold (a "zip bomb") must be refused before that.
    A real roster's XML compresses about tenfold (a 199,000-row roster: 7 MB → 86 MB); zipfile
    never inflates a member beyond the size its directory declares, so these checks bind.
    """

    sheet: int = 512 * 2**20
    shared_strings: int = 128 * 2**20
    other: int = 8 * 2**20
    total: int = 640 * 2**20
    ratio: int = 100  # uncompressed ÷ compressed, for members above ``ratio_floor``
    ratio_floor: int = 2**20
    members: int = 1000


XLSX_LIMITS = ArchiveLimits()


def check_archive(archive: zipfile.ZipFile, limits: ArchiveLimits = XLSX_LIMITS) -> None:
    """Refuse (``xlsx_expands``) a workbook whose members unpack beyond ``limits``."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise RosterError("xlsx_expands", member=f"{len(members)} parts")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(1, member.compress_size)
        too_big = member.file_size > _member_limit(member.filename, limits)
        if too_big or total > limits.total or (
                member.file_size > limits.ratio_floor and ratio > limits.ratio):
            raise RosterError("xlsx_expands", member=member.filename)


def _member_limit(name: str, limits: ArchiveLimits) -> int:
    if name.startswith("xl/worksheets/"):
        return limits.sheet
    return limits.shared_strings if name == "xl/sharedStrings.xml" else limits.other


def _read_xlsx(data: bytes, max_rows: int) -> list[_Record]:
    """The first sheet's records, streamed (``survey.roster.xlsx``) after the archive checks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(archive)
            return _collect(_xlsx_records(archive), max_rows)
    except RosterError:
        raise
    except Exception as error:  # a broken archive or XML fails in many ways; all say "not xlsx"
        raise RosterError("not_xlsx") from error


def _xlsx_records(archive: zipfile.ZipFile) -> Iterator[_Record]:
    """The first sheet's rows, never wider than one column past the limit.

    A sheet may claim a cell at XFD1048576 (or at row 10¹²): cells right of the limit are not
    kept and reading stops past Excel's last row, so the work stays proportional to what a
    roster can hold.
    """
    from survey.roster.xlsx import first_sheet_rows  # openpyxl: imported when a file comes

    for number, values in first_sheet_rows(archive, MAX_COLUMNS + 1, EXCEL_MAX_ROWS):
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
    return _settled([(record.row, _row(record, columns, ragged_ok)) for record in records[1:]],
                    labels)


def _header(record: _Record) -> dict[str, str]:
    cells = list(record.cells)
    while cells and not cells[-1].strip():  # empty trailing columns that Excel leaves behind
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise RosterError("too_many_columns", row=record.row, max=MAX_ATTRIBUTES)
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


def _validate(numbered: Numbered, labels: dict[str, str]) -> CleanRoster:
    """Check every cell, set concurrent-post rows apart and give id-less people an id.

    Employee ids (exact) and e-mails (any case) are unique among main rows; each concurrent-post
    row must belong to someone's main row.
    """
    first_seen: dict[tuple[str, str], int] = {}
    main: Numbered = []
    posts: Numbered = []
    generated = 0
    for number, raw in numbered:
        concurrent = _is_concurrent_post(raw, number, labels)
        row = _clean_row(raw, number, labels)
        if not row["employee_id"]:
            row["employee_id"] = generated_id(row["email"])
            generated += not concurrent
        if concurrent:
            posts.append((number, row))
            continue
        for key in (("employee_id", row["employee_id"]), ("email", row["email"].casefold())):
            if not key[1]:
                continue  # several people may have no address
            other = first_seen.setdefault(key, number)
            if other != number:
                raise RosterError("duplicate_value", row=number, column=labels[key[0]],
                                  value=row[key[0]], other_row=other)
        main.append((number, row))
    _check_posts(posts, main, labels)
    return CleanRoster(main, labels, posts, generated)


def generated_id(email: str) -> str:
    """A stable employee id for someone the HR system gives none (an outside member, 複業人材).

    Made from the normalised address, so the same person gets the same id at every import and
    keeps their place in past waves; hashed, so the id does not spell out the address wherever
    ids are shown.  Case does not matter, as for the uniqueness of addresses.
    """
    return GENERATED_PREFIX + hashlib.sha256(email.casefold().encode()).hexdigest()[:12]


def _settled(numbered: Numbered, labels: dict[str, str]) -> tuple[Numbered, dict[str, str]]:
    """A weak post-type header (区分) whose values are not post types is an ordinary column."""
    written = labels.get("post_type")
    if written not in WEAK_ALIASES or all(
            _post_kind(row["post_type"]) for _number, row in numbered):
        return numbered, labels

    def renamed(mapping: dict[str, str]) -> dict[str, str]:
        return {written if name == "post_type" else name: value for name, value in mapping.items()}

    return [(number, renamed(row)) for number, row in numbered], renamed(labels)


def _post_kind(value: str) -> str | None:
    return POST_TYPES.get(value.casefold())


def _is_concurrent_post(row: dict[str, str], number: int, labels: dict[str, str]) -> bool:
    if "post_type" not in row:
        return False
    kind = _post_kind(row["post_type"])
    if kind is None:
        raise RosterError("post_type_value", row=number, column=labels["post_type"],
                          value=row["post_type"])
    return kind == "concurrent"


def _check_posts(posts: Numbered, main: Numbered, labels: dict[str, str]) -> None:
    """Each concurrent-post row names someone with a main row, with the same e-mail if any."""
    emails = {row["employee_id"]: row["email"] for _number, row in main}
    for number, row in posts:
        email = emails.get(row["employee_id"])
        if email is None:
            raise RosterError("post_without_main", row=number, column=labels["employee_id"],
                              value=row["employee_id"])
        if row["email"] and row["email"].casefold() != email.casefold():
            raise RosterError("post_email_mismatch", row=number, column=labels["email"],
                              value=row["email"], other=email)


def _clean_row(row: dict[str, str], number: int, labels: dict[str, str]) -> dict[str, str]:
    """A person needs an employee id or an e-mail address; either may be empty, not both
    (staff without an address get printed slips; people from outside, a generated id)."""
    if not row["employee_id"] and not row["email"]:
        raise RosterError("no_identity", row=number)
    return {name: _clean_cell(name, value, number, labels[name]) for name, value in row.items()}


def _clean_cell(name: str, value: str, row: int, label: str) -> str:
    if name == "employee_id":  # may be empty: the id is then made from the e-mail address
        _check_text(value, row, label, MAX_ID_LENGTH, formula=False)
        return value
    if name == "email":
        _check_text(value, row, label, 254, formula=False)
        address = normalize_email(value) if value else ""
        if address is None:
            raise RosterError("invalid_email", row=row, column=label)
        return address
    if name == "concurrent_units":  # Excel's Alt+Enter separates names like 、 does
        value = _LINE_BREAKS.sub("、", value)
        _check_text(value, row, label, MAX_UNITS_LENGTH, formula=True)
        return value
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
