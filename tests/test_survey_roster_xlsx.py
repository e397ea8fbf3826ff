"""The streaming XLSX reader gives openpyxl's rows, on every cell encoding, in bounded memory.

openpyxl (``read_only=True, data_only=True``) is the reference: the roster parser read with it
before, and the roster tests' expectations were written against it.  Workbooks are written part
by part (``xlsx_files``) so that hypothesis chooses each cell's encoding: shared strings (plain,
rich runs, furigana runs), inline strings, integers, decimals and exponents, booleans, dates,
times, durations and date-times under built-in and custom formats, both calendars, formula
results, error values, blank styled cells, missing cells, cells and rows without references,
and rows wider than the column cap.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import warnings
import zipfile
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from survey.roster.parsing import EXCEL_MAX_ROWS, MAX_COLUMNS, RosterError, parse_roster
from survey.roster.xlsx import first_sheet_rows
from tests.xlsx_files import MAIN_NS, text_item, workbook

#: Cell styles: General, short date (14), a custom date, a time, a duration, a date-time, 0.00.
FORMATS: tuple[int | str, ...] = (0, 14, "yyyy/m/d", "h:mm", "[h]:mm:ss", "yyyy-mm-dd hh:mm", 2)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                             blacklist_characters="\ufffe\uffff"), max_size=12)


def openpyxl_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    """What the parser read before: openpyxl's rows, blank ones dropped, trailing blanks cut."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    rows = []
    with warnings.catch_warnings(record=True) as caught:  # only "outside the limits for dates"
        for number, values in enumerate(sheet.iter_rows(
                max_col=MAX_COLUMNS + 1, max_row=EXCEL_MAX_ROWS, values_only=True), start=1):
            cells = list(values)
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                rows.append((number, cells))
    assert all("outside the limits for dates" in str(w.message) for w in caught)
    book.close()
    return rows


def streamed_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return list(first_sheet_rows(archive, MAX_COLUMNS + 1, EXCEL_MAX_ROWS))


class Sheet:
    """Collects shared strings while cells are drawn."""

    def __init__(self) -> None:
        self.strings: list[str] = []

    def shared(self, item: str) -> str:
        self.strings.append(item)
        return f't="s"><v>{len(self.strings) - 1}</v>'


@st.composite
def cell_body(draw: st.DrawFn, sheet: Sheet) -> str:
    """Everything of a ``<c>`` element after its reference: attributes, '>' content."""
    kind = draw(st.sampled_from(["shared", "rich", "phonetic", "inline", "inline-rich", "int",
                                 "decimal", "exponent", "bool", "date", "formula", "error",
                                 "blank", "empty-value"]))
    text = draw(TEXT)
    if kind == "shared":
        return sheet.shared(text_item(text))
    if kind == "rich":
        return sheet.shared(f"<r><rPr><b/></rPr>{text_item(text)}</r><r>{text_item('課')}</r>")
    if kind == "phonetic":
        return sheet.shared(f"{text_item(text)}<rPh sb=\"0\" eb=\"1\">{text_item('ゼイム')}</rPh>"
                            '<phoneticPr fontId="1"/>')
    if kind == "inline":
        return f't="inlineStr"><is>{text_item(text)}</is>'
    if kind == "inline-rich":
        return f't="inlineStr"><is><r>{text_item(text)}</r><r>{text_item("x")}</r></is>'
    if kind == "int":
        return f"><v>{draw(st.integers(-10**15, 10**15))}</v>"
    if kind == "decimal":
        value = draw(st.floats(-1e9, 1e9, allow_nan=False))
        return f's="{draw(st.sampled_from([0, 6]))}"><v>{value!r}</v>'
    if kind == "exponent":
        point = draw(st.sampled_from(["", ".5"]))
        return f"><v>{draw(st.integers(1, 9))}{point}E+{draw(st.integers(0, 20))}</v>"
    if kind == "bool":
        return f't="b"><v>{draw(st.integers(0, 1))}</v>'
    if kind == "date":
        serial = draw(st.one_of(st.integers(1, 80000), st.floats(0, 80000).map(
            lambda x: round(x, 6)), st.integers(2_958_466, 10**7)))  # the last: past 9999-12-31
        return f's="{draw(st.integers(1, 5))}"><v>{serial}</v>'
    if kind == "formula":
        return f't="str"><f>A1&amp;"x"</f><v>{escape(text)}</v>'
    if kind == "error":
        return f't="e"><v>{draw(st.sampled_from(["#N/A", "#DIV/0!", "#REF!"]))}</v>'
    if kind == "blank":
        return f's="{draw(st.integers(0, 6))}">'
    return "><v></v>"


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[str], list[str], bool]:
    """(rows as XML, shared-string items, 1904 calendar?).

    Rows carry references with gaps between them, or none (each is the next row); a row's
    cells carry references (any columns up to 60, past the cap of 53) or none (consecutive).
    """
    sheet = Sheet()
    rows, number = [], 0
    row_references = draw(st.booleans())
    for _ in range(draw(st.integers(0, 8))):
        number += draw(st.integers(1, 3)) if row_references else 1
        if draw(st.booleans()):
            columns = sorted(draw(st.sets(st.integers(1, 60), max_size=12)))
            cells = [f'<c r="{column_letters(column)}{number}" {draw(cell_body(sheet))}</c>'
                     for column in columns]
        else:
            cells = [f"<c {draw(cell_body(sheet))}</c>" for _ in range(draw(st.integers(0, 8)))]
        reference = f' r="{number}"' if row_references else ""
        rows.append(f"<row{reference}>{''.join(cells)}</row>")
    return rows, sheet.strings, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_streamed_rows_equal_openpyxl_rows(drawn: tuple[list[str], list[str], bool]) -> None:
    rows, strings, date1904 = drawn
    data = workbook(rows, strings, FORMATS, date1904=date1904)
    assert streamed_rows(data) == openpyxl_rows(data)


def test_furigana_runs_are_not_part_of_the_text() -> None:
    data = workbook(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
                    [f"{text_item('税務課')}<rPh sb=\"0\" eb=\"3\"><t>ゼイムカ</t></rPh>"])
    assert streamed_rows(data) == [(1, ["税務課"])] == openpyxl_rows(data)


def test_an_excel_like_roster_parses_like_an_openpyxl_written_one() -> None:
    header = ["職員番号", "メールアドレス", "課", "入庁日"]
    strings = [text_item(text) for text in [*header, "a@x.jp", "税務課"]]
    rows = ['<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in
                                    enumerate("ABCD")) + "</row>",
            '<row r="2"><c r="A2"><v>1001</v></c><c r="B2" t="s"><v>4</v></c>'
            '<c r="C2" t="s"><v>5</v></c><c r="D2" s="1"><v>43922</v></c></row>']
    assert parse_roster("r.xlsx", workbook(rows, strings)) == [
        {"employee_id": "1001", "email": "a@x.jp", "課": "税務課", "入庁日": "2020-04-01"}]


def test_reading_a_long_sheet_keeps_one_chunk_in_memory() -> None:
    """30,000 rows of inline text: the reader's peak must not grow with the sheet."""
    def rows(count: int) -> list[str]:
        return [f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" t="inlineStr"><is>'
                f"<t>staff{n:07d}@town.example.jp</t></is></c></row>" for n in range(1, count)]

    def peak(data: bytes) -> int:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            tracemalloc.start()
            for _row in first_sheet_rows(archive, MAX_COLUMNS + 1, EXCEL_MAX_ROWS):
                pass
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return peak

    short, long = peak(workbook(rows(3_000), [])), peak(workbook(rows(30_000), []))
    assert long < 2 * short + 2**20, (short, long)


def replaced(data: bytes, name: str, body: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, body if info.filename == name else source.read(info))
    return buffer.getvalue()


LAUGHS = ('<!DOCTYPE w [<!ENTITY l0 "lollollollollollollollollollol">'
          + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]>")
SHEET_START = f"<worksheet {MAIN_NS}><sheetData>"


@pytest.mark.parametrize(("member", "body"), [
    ("xl/worksheets/sheet1.xml", f'{LAUGHS}{SHEET_START}<row r="1"><c r="A1" t="inlineStr"><is>'
                                 "<t>&l9;</t></is></c></row></sheetData></worksheet>"),
    ("xl/sharedStrings.xml", '<!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                             f"<sst {MAIN_NS}><si><t>&e;</t></si></sst>"),
], ids=["entity-expansion", "external-entity"])
def test_hostile_xml_is_refused_quickly_as_not_a_workbook(member: str, body: str) -> None:
    data = replaced(workbook(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
                             [text_item("x")]), member, body.encode())
    started = time.perf_counter()
    with pytest.raises(RosterError) as caught:
        parse_roster("r.xlsx", data)
    assert caught.value.code == "not_xlsx"
    assert time.perf_counter() - started < 2


def test_the_first_sheet_is_the_workbook_s_first_not_the_first_file() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["in sheet1.xml"])
    book.create_sheet("second").append(["in sheet2.xml"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        index = archive.read("xl/workbook.xml").decode()
    first, second = (index.index(f'<sheet name="{name}"') for name in ("Sheet", "second"))
    end = index.index("/>", second) + 2
    reordered = index[:first] + index[second:end] + index[first:second] + index[end:]
    data = replaced(buffer.getvalue(), "xl/workbook.xml", reordered.encode())
    assert streamed_rows(data) == [(1, ["in sheet2.xml"])] == openpyxl_rows(data)
