"""Reading roster files: encodings, delimiters, XLSX cells, NFKC, and precise refusals.

Pure tests (no app).  The catalogue of broken files that must leave the database untouched is
in test_survey_roster_cli.py, where each file also goes through the command.
"""

from __future__ import annotations

import codecs
import datetime as dt
import time

import pytest
from conftest import xlsx_bytes

from survey.roster.parsing import (
    RosterError,
    check_hierarchy,
    clean_rows,
    parse_hierarchy,
    parse_roster,
)

JAPANESE = ("employee_id,email,部署,勤続\r\n"
            "E1,a@town.example.jp,税務課,3年\r\n"
            "E2,b@town.example.jp,住民課,10年以上\r\n")
EXPECTED = [
    {"employee_id": "E1", "email": "a@town.example.jp", "部署": "税務課", "勤続": "3年"},
    {"employee_id": "E2", "email": "b@town.example.jp", "部署": "住民課", "勤続": "10年以上"},
]



def refusal(filename: str, data: bytes, **options: object) -> RosterError:
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
