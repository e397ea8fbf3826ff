"""Reading roster files: encodings, delimiters, XLSX cells, NFKC, and precise refusals.

Pure tests (no app).  The catalogue of broken files that must leave the database untouched is
in test_survey_roster_cli.py, where each file also goes through the command.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import time
from typing import Any

import pytest

from survey.roster.parsing import (
    RosterError,
    check_hierarchy,
    clean_rows,
    generated_id,
    parse_hierarchy,
    parse_roster,
)
from tests.conftest import xlsx_bytes

JAPANESE = ("employee_id,email,部署,勤続\r\n"
            "E1,a@town.example.jp,税務課,3年\r\n"
            "E2,b@town.example.jp,住民課,10年以上\r\n")
EXPECTED = [
    {"employee_id": "E1", "email": "a@town.example.jp", "部署": "税務課", "勤続": "3年"},
    {"employee_id": "E2", "email": "b@town.example.jp", "部署": "住民課", "勤続": "10年以上"},
]



def refusal(filename: str, data: bytes, **options: Any) -> RosterError:
    with pytest.raises(RosterError) as caught:
        parse_roster(filename, data, **options)
    return caught.value


@pytest.mark.parametrize("encoded", [
    JAPANESE.encode("utf-8"),
    codecs.BOM_UTF8 + JAPANESE.encode("utf-8"),
    JAPANESE.encode("cp932"),
], ids=["utf-8", "utf-8-bom", "cp932"])
def test_csv_encodings_give_the_same_rows(encoded: bytes) -> None:
    assert parse_roster("roster.csv", encoded) == EXPECTED


def test_cp932_only_characters_are_read() -> None:
    # ① and 髙 exist in CP932 but not in plain Shift_JIS; Excel writes them as CP932.
    data = "employee_id,email,係\nE1,a@x.jp,髙橋①係\n".encode("cp932")
    assert parse_roster("r.csv", data)[0]["係"] == "髙橋1係"  # NFKC turns ① into 1


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_delimiter_is_detected(delimiter: str) -> None:
    text = JAPANESE.replace(",", delimiter)
    assert parse_roster("roster.csv", text.encode("utf-8")) == EXPECTED


def test_commas_inside_quoted_cells_do_not_confuse_the_tab_delimiter() -> None:
    data = 'employee_id\temail\tunit\nE1\ta@x.jp\t"総務課, 庶務係"\n'.encode()
    assert parse_roster("r.csv", data)[0]["unit"] == "総務課, 庶務係"


def test_nfkc_unifies_half_width_katakana_and_full_width_digits() -> None:
    data = ("employee_id,email,ｿｼｷ\n"
            "１００１,a@x.jp,ｿｳﾑ課\n"
            "1002,b@x.jp,ソウム課\n"
            "E３,c@x.jp,　ソウム課　\n").encode("cp932")
    rows = parse_roster("r.csv", data)
    assert [row["employee_id"] for row in rows] == ["1001", "1002", "E3"]
    assert {row["ソシキ"] for row in rows} == {"ソウム課"}


def test_japanese_header_aliases_and_case_map_to_required_columns() -> None:
    data = "職員番号,メールアドレス,課\nE1,a@x.jp,税務課\n".encode()
    assert parse_roster("r.csv", data) == [{"employee_id": "E1", "email": "a@x.jp", "課": "税務課"}]
    data = b"Employee ID,EMAIL\nE1,a@x.jp\n"
    assert parse_roster("r.csv", data) == [{"employee_id": "E1", "email": "a@x.jp"}]


def test_blank_lines_are_skipped_but_rows_keep_their_spreadsheet_numbers() -> None:
    data = b"employee_id,email\n\nE1,a@x.jp\n,\n\nE2,not-an-address\n"
    error = refusal("r.csv", data)
    assert (error.code, error.row, error.column) == ("invalid_email", 6, "email")


def test_empty_attribute_values_are_kept_as_empty_strings() -> None:
    rows = parse_roster("r.csv", b"employee_id,email,dept\nE1,a@x.jp,\nE2,b@x.jp,X\n")
    assert rows[0]["dept"] == ""


def test_trailing_empty_columns_left_by_excel_are_ignored() -> None:
    rows = parse_roster("r.csv", b"employee_id,email,dept,,\nE1,a@x.jp,X,,\nE2,b@x.jp,Y,,\n")
    assert rows == [{"employee_id": "E1", "email": "a@x.jp", "dept": "X"},
                    {"employee_id": "E2", "email": "b@x.jp", "dept": "Y"}]


def test_people_without_an_address_are_accepted_and_not_duplicates_of_each_other() -> None:
    rows = parse_roster("r.csv", b"employee_id,email,dept\nE1,,A\nE2,,A\nE3,c@x.jp,A\n")
    assert [row["email"] for row in rows] == ["", "", "c@x.jp"]


def test_email_domain_is_normalised() -> None:
    rows = parse_roster("r.csv", b"employee_id,email\nE1,Staff@TOWN.Example.JP\n")
    assert rows[0]["email"] == "Staff@town.example.jp"


def test_xlsx_numbers_dates_and_japanese_text() -> None:
    data = xlsx_bytes([
        ["職員番号", "email", "部署", "入庁日", "等級"],
        [1001, "a@x.jp", "税務課", dt.datetime(2020, 4, 1), 3.0],
        [1002.0, "b@x.jp", "ｿｳﾑ課", dt.date(2021, 4, 1), 2.5],
        [None, None, None, None, None],
        ["E3", "c@x.jp", None],
    ])
    assert parse_roster("名簿.XLSX", data) == [
        {"employee_id": "1001", "email": "a@x.jp", "部署": "税務課", "入庁日": "2020-04-01",
         "等級": "3"},
        {"employee_id": "1002", "email": "b@x.jp", "部署": "ソウム課", "入庁日": "2021-04-01",
         "等級": "2.5"},
        {"employee_id": "E3", "email": "c@x.jp", "部署": "", "入庁日": "", "等級": ""},
    ]


def test_xlsx_errors_name_the_spreadsheet_row() -> None:
    data = xlsx_bytes([["employee_id", "email"], ["E1", "a@x.jp"], [], ["E2", "bad@"]])
    error = refusal("r.xlsx", data)
    assert (error.code, error.row, error.column) == ("invalid_email", 4, "email")


def test_xlsx_cell_beyond_the_header_is_a_field_count_error() -> None:
    data = xlsx_bytes([["employee_id", "email"], ["E1", "a@x.jp", "extra"]])
    error = refusal("r.xlsx", data)
    assert (error.code, error.row, error.params["found"]) == ("field_count", 2, 3)


def test_size_is_refused_before_anything_is_read() -> None:
    data = b"\xff" * (50 * 1024 * 1024)  # would be an encoding error if it were read
    started = time.perf_counter()
    error = refusal("r.csv", data, max_bytes=20 * 1024 * 1024)
    assert error.code == "too_large" and error.params["limit_mb"] == 20
    assert time.perf_counter() - started < 1.0


def test_row_limit_counts_people_not_blank_lines() -> None:
    data = b"employee_id,email\n\n\nE1,a@x.jp\nE2,b@x.jp\n\n"
    assert len(parse_roster("r.csv", data, max_rows=2)) == 2
    error = refusal("r.csv", data + b"E3,c@x.jp\n", max_rows=2)
    assert (error.code, error.row, error.params["max"]) == ("too_many_rows", 7, 2)


def test_column_letters_name_unnamed_columns_far_to_the_right() -> None:
    header = ",".join(["employee_id", "email", *[f"c{i}" for i in range(25)], ""]) + ",x"
    error = refusal("r.csv", (header + "\n").encode())
    assert (error.code, error.column) == ("empty_column_name", "AB")


def test_clean_rows_checks_dicts_like_a_file() -> None:
    rows = [{"employee_id": "E1", "email": "a@x.jp", "課": "ｿｳﾑ課"},
            {"employee_id": "E2", "email": "b@x.jp"}]
    clean = clean_rows(rows)
    assert list(clean) == [{"employee_id": "E1", "email": "a@x.jp", "課": "ソウム課"},
                           {"employee_id": "E2", "email": "b@x.jp", "課": ""}]
    assert clean_rows(clean) is clean
    with pytest.raises(RosterError) as caught:
        clean_rows([*rows, {"employee_id": "E1", "email": "c@x.jp"}])
    assert (caught.value.code, caught.value.row, caught.value.params["other_row"]) == (
        "duplicate_value", 4, 2)


@pytest.mark.parametrize(("text", "expected"), [
    ("部,課,係", ["部", "課", "係"]),
    (" 部 、 課 ", ["部", "課"]),
    ("部>課>係", ["部", "課", "係"]),
    ("部，課", ["部", "課"]),  # full-width comma
    ("", None),
    (None, None),
    (" , ", None),
])
def test_parse_hierarchy(text: str | None, expected: list[str] | None) -> None:
    assert parse_hierarchy(text) == expected


def test_hierarchy_accepts_nested_units_and_refuses_a_unit_with_two_parents() -> None:
    rows = clean_rows([
        {"employee_id": "E1", "email": "a@x.jp", "部": "総務部", "課": "総務課", "係": "庶務係"},
        {"employee_id": "E2", "email": "b@x.jp", "部": "総務部", "課": "総務課", "係": "庶務係"},
        {"employee_id": "E3", "email": "c@x.jp", "部": "総務部", "課": "財政課", "係": ""},
    ])
    assert check_hierarchy(rows.numbered(), ["部", "課", "係"], rows.columns) == [
        "部", "課", "係"]
    rows = clean_rows([*rows, {"employee_id": "E4", "email": "d@x.jp", "部": "総務部",
                               "課": "財政課", "係": "庶務係"}])
    with pytest.raises(RosterError) as caught:
        check_hierarchy(rows.numbered(), ["部", "課", "係"], rows.columns)
    error = caught.value
    assert (error.code, error.row, error.column) == ("hierarchy_parent", 5, "係")
    assert error.params == {"value": "庶務係", "parent_column": "課", "parent": "財政課",
                            "other": "総務課", "other_row": 2}


@pytest.mark.parametrize(("levels", "code", "column"), [
    (["部", "班"], "hierarchy_column", "班"),
    (["部", "email"], "hierarchy_column", "email"),
    (["部", "部"], "hierarchy_repeated", "部"),
])
def test_hierarchy_levels_must_be_distinct_group_columns(
    levels: list[str], code: str, column: str
) -> None:
    rows = clean_rows([{"employee_id": "E1", "email": "a@x.jp", "部": "総務部"}])
    with pytest.raises(RosterError) as caught:
        check_hierarchy(rows.numbered(), levels, rows.columns)
    assert (caught.value.code, caught.value.column) == (code, column)


@pytest.mark.parametrize("address", [
    "a@x.jp", "Staff@TOWN.Example.JP", "a.b+tag@x.jp", "a..b@x.jp", ".a@x.jp", "a.@x.jp",
    "a@x", "a@localhost", "a@x.test", "a@-x.jp", "a@x_y.jp", "a@[127.0.0.1]", '"a b"@x.jp',
    "山田@x.jp", "a@日本.jp", "a@x..jp", "@x.jp", "a@", "a", "x" * 64 + "@x.jp",
    "x" * 65 + "@x.jp", "a@" + ("b" * 60 + ".") * 4 + "jp", "a@x.invalid", "a@123",
    "a!#$%&'*+/=?^_`{|}~-@x.jp", "a b@x.jp",
])
def test_fast_email_check_agrees_with_email_validator(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    from survey.roster.parsing import normalize_email

    try:
        expected: str | None = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    assert normalize_email(address) == expected


# -- concurrent posts (兼務) and people without an employee number -------------------------------

@pytest.mark.parametrize("header", ["concurrent_units", "Concurrent Units", "concurrent", "兼務",
                                    "兼務先", "兼務所属"])
def test_concurrent_units_aliases(header: str) -> None:
    data = f"employee_id,email,課,{header}\nE1,a@x.jp,税務課,住民課\n".encode()
    roster = parse_roster("r.csv", data)
    assert roster[0]["concurrent_units"] == "住民課"
    assert roster.labels["concurrent_units"] == header


def test_line_breaks_in_a_concurrent_units_cell_separate_names() -> None:
    # Excel's Alt+Enter: a quoted CSV cell, or a cell of a workbook, holding line breaks.
    data = 'employee_id,email,兼務先\r\nE1,a@x.jp,"住民課\r\n税務課\n"\r\n'.encode("cp932")
    assert parse_roster("r.csv", data)[0]["concurrent_units"] == "住民課、税務課"
    workbook = xlsx_bytes([["employee_id", "email", "兼務先"], ["E1", "a@x.jp", "住民課\n税務課"]])
    assert parse_roster("r.xlsx", workbook)[0]["concurrent_units"] == "住民課、税務課"
    # Anywhere else a line break is still an invisible control character.
    data = 'employee_id,email,課\nE1,a@x.jp,"住民課\n税務課"\n'.encode()
    assert (refusal("r.csv", data).code, refusal("r.csv", data).column) == ("control", "課")


POST_ROWS = ("職員番号,メールアドレス,課,本兼区分\r\n"
             "E1,a@x.jp,税務課,本務\r\n"
             "E1,,住民課,兼務\r\n"
             ",b@x.jp,住民課,\r\n"
             ",B@X.JP,税務課,兼務\r\n")


@pytest.mark.parametrize("data", [
    POST_ROWS.encode("cp932"),
    xlsx_bytes([line.split(",") for line in POST_ROWS.splitlines()]),
], ids=["csv-cp932", "xlsx"])
def test_post_rows_are_set_apart_from_main_rows(data: bytes) -> None:
    roster = parse_roster("r.xlsx" if data[:2] == b"PK" else "r.csv", data)
    b_id = generated_id("b@x.jp")
    assert [(row["employee_id"], row["課"]) for row in roster] == [("E1", "税務課"),
                                                                   (b_id, "住民課")]
    assert [(number, row["employee_id"], row["課"]) for number, row in roster.posts] == [
        (3, "E1", "住民課"), (5, b_id, "税務課")]
    assert roster.numbers == [2, 4] and roster.generated_ids == 1
    assert [number for number, _row in roster.unit_rows()] == [2, 3, 4, 5]


@pytest.mark.parametrize("header", ["post_type", "Post Type", "本務兼務", "本兼区分", "区分"])
@pytest.mark.parametrize("value", ["兼務", "concurrent", "CONCURRENT"])
def test_post_type_aliases_and_values(header: str, value: str) -> None:
    data = f"employee_id,email,課,{header}\nE1,a@x.jp,税務課,main\nE1,,住民課,{value}\n"
    assert len(parse_roster("r.csv", data.encode()).posts) == 1


def test_a_区分_column_of_employment_types_stays_an_attribute() -> None:
    data = "employee_id,email,課,区分\nE1,a@x.jp,税務課,会計年度任用\nE2,b@x.jp,税務課,正規\n"
    roster = parse_roster("r.csv", data.encode())
    assert [row["区分"] for row in roster] == ["会計年度任用", "正規"]
    assert "post_type" not in roster.columns and not roster.posts
    # A column named as a post type says so: its values are checked.
    error = refusal("r.csv", data.replace("区分", "本務兼務").encode())
    assert (error.code, error.row, error.column, error.params["value"]) == (
        "post_type_value", 2, "本務兼務", "会計年度任用")


def test_generated_ids_are_stable_and_do_not_spell_out_the_address() -> None:
    assert generated_id("Tanaka@Partner.example.com") == generated_id("tanaka@partner.example.com")
    assert generated_id("tanaka@partner.example.com") != generated_id("tanaka@partner.example.jp")
    assert re.fullmatch(r"X-[0-9a-f]{12}", generated_id("tanaka@partner.example.com"))
    assert generated_id("a@x.jp") == "X-" + hashlib.sha256(b"a@x.jp").hexdigest()[:12]
    data = b"employee_id,email\n,tanaka@partner.example.com\n,TANAKA@partner.example.com\n"
    error = refusal("r.csv", data)  # one person, whatever the case: still a duplicate
    assert (error.code, error.row, error.column) == ("duplicate_value", 3, "employee_id")


def test_a_row_without_employee_id_or_email_is_refused() -> None:
    error = refusal("r.csv", "職員番号,メールアドレス,課\nE1,a@x.jp,税務課\n,,住民課\n".encode())
    assert (error.code, error.row, error.column) == ("no_identity", 3, None)
    # An id alone is someone without an address: invited with a printed slip, not refused.
    assert parse_roster("r.csv", b"employee_id,email\nE1,\n")[0]["email"] == ""


def test_post_columns_cannot_be_hierarchy_levels() -> None:
    roster = parse_roster("r.csv", "employee_id,email,課,兼務\nE1,a@x.jp,税務課,\n".encode())
    with pytest.raises(RosterError) as caught:
        check_hierarchy(roster.numbered(), ["concurrent_units"], roster.columns)
    assert caught.value.code == "hierarchy_column"

# --- hostile workbooks and files (issue 16: XLSX bombs, unbounded columns) ---------------------

def rebuilt_xlsx(replace: dict[str, bytes]) -> bytes:
    """A real two-person workbook with some archive members replaced (or added)."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(
        [["employee_id", "email"], ["E1", "a@x.jp"], ["E2", "b@x.jp"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.pop(info.filename, source.read(info)))
        for name, content in replace.items():
            target.writestr(name, content)
    return buffer.getvalue()


SPREADSHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
EXPANDING = {
    # one 40 MB shared string: compresses a thousandfold, like the audit's 1.6 MB → 1.6 GB file
    "xl/sharedStrings.xml": b'<sst ' + SPREADSHEET_NS + b' count="1" uniqueCount="1"><si><t>'
                            + b"a" * (40 * 2**20) + b"</t></si></sst>",
    "xl/styles.xml": b"<styleSheet " + SPREADSHEET_NS + b">" + b" " * (40 * 2**20)
                     + b"</styleSheet>",
}


@pytest.mark.parametrize("member", sorted(EXPANDING))
def test_an_expanding_workbook_is_refused_before_it_is_parsed(member: str) -> None:
    data = rebuilt_xlsx({member: EXPANDING[member]})
    assert len(data) < 2**20
    started = time.perf_counter()
    error = refusal("r.xlsx", data)
    assert (error.code, error.params["member"]) == ("xlsx_expands", member)
    assert time.perf_counter() - started < 0.5


def sheet(rows: bytes) -> bytes:
    return b"<worksheet " + SPREADSHEET_NS + b"><sheetData>" + rows + b"</sheetData></worksheet>"


HEADER_AND_ONE = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>employee_id</t></is></c>'
                  b'<c r="B1" t="inlineStr"><is><t>email</t></is></c></row>'
                  b'<row r="2"><c r="A2" t="inlineStr"><is><t>E1</t></is></c>'
                  b'<c r="B2" t="inlineStr"><is><t>a@x.jp</t></is></c></row>')


@pytest.mark.timeout(30)
@pytest.mark.parametrize("far", [
    b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n)  # the last column
             for n in range(3, 5003)),
    b'<row r="900000000000"><c r="A900000000000"><v>1</v></c></row>',  # far past Excel's rows
], ids=["column-XFD", "row-9e11"])
def test_a_sheet_claiming_far_cells_is_read_in_bounded_time(far: bytes) -> None:
    data = rebuilt_xlsx({"xl/worksheets/sheet1.xml": sheet(HEADER_AND_ONE + far)})
    started = time.perf_counter()
    try:
        rows = parse_roster("r.xlsx", data)
    except RosterError as error:
        assert error.code in {"field_count", "too_many_rows"}
    else:
        assert [row["employee_id"] for row in rows] == ["E1"]
    assert time.perf_counter() - started < 5


def test_more_than_fifty_attribute_columns_are_refused_in_csv_and_xlsx() -> None:
    names = ["employee_id", "email", *[f"attribute{i}" for i in range(51)]]
    csv_data = (",".join(names) + "\n" + ",".join(["E1", "a@x.jp", *["x"] * 51]) + "\n").encode()
    for filename, data in (("r.csv", csv_data),
                           ("r.xlsx", xlsx_bytes([names, ["E1", "a@x.jp", *["x"] * 51]]))):
        error = refusal(filename, data)
        assert (error.code, error.row, error.params["max"]) == ("too_many_columns", 1, 50)
    fifty = names[:52]
    assert len(parse_roster("r.csv", (",".join(fifty) + "\n" + ",".join(
        ["E1", "a@x.jp", *["x"] * 50]) + "\n").encode())[0]) == 52


def test_a_million_columns_are_refused_quickly() -> None:
    header = "employee_id,email," + ",".join(f"c{i}" for i in range(1_000_000))
    started = time.perf_counter()
    error = refusal("r.csv", (header + "\nE1,a@x.jp\n").encode())
    assert error.code == "too_many_columns"
    assert time.perf_counter() - started < 3
