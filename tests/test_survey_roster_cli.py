"""``flask roster import``: success, and a catalogue of broken files that change nothing.

Every broken file is generated here (no binaries in the repository).  Each case checks the
error's code, row and column, that the command exits non-zero with exactly that reason on one
line, and that the roster, the settings and the audit log are exactly as before.
"""

from __future__ import annotations

import codecs
import io
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from survey.db import db
from survey.models import AuditEvent, Person, Setting
from survey.roster.messages import roster_message
from survey.roster.parsing import RosterError, check_size, parse_hierarchy, parse_roster
from survey.roster.services import import_roster
from tests import town
from tests.conftest import xlsx_bytes

HEADER = "employee_id,email,department\n"
GOOD = HEADER + "E1,a@town.example.jp,税務課\nE2,b@town.example.jp,住民課\n"



def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def rows_csv(body: str, header: str = HEADER) -> bytes:
    return (header + body).encode("utf-8")


def post_rows(second: str) -> Callable[[], bytes]:
    """E1's main row in a roster with a post-type column (本務/兼務), then ``second``."""
    return lambda: rows_csv(f"E1,a@x.jp,税務課,本務\n{second}\n", "employee_id,email,課,本務兼務\n")


def too_many_rows() -> bytes:
    lines = "".join(f"E{i},p{i}@town.example.jp,X\n" for i in range(200_001))
    return rows_csv(lines)


def garbage(seed: int, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


class Case(NamedTuple):
    filename: str
    data: Callable[[], bytes]
    code: str
    row: int | None = None
    column: str | None = None
    hierarchy: str | None = None


BROKEN: dict[str, Case] = {
    # encodings
    "latin-1": Case("r.csv", lambda: (HEADER + "E1,a@x.jp,Café\n").encode("latin-1"),
                    "encoding", 2),
    "euc-jp": Case("r.csv", lambda: (HEADER + "E1,a@x.jp,総務部\n").encode("euc_jp"),
                   "encoding", 2),
    "bom-then-cp932": Case(
        "r.csv", lambda: codecs.BOM_UTF8 + (HEADER + "E1,a@x.jp,税務課\n").encode("cp932"),
        "encoding", 2),
    "binary-garbage": Case("r.csv", lambda: garbage(7), "binary"),
    "png-named-csv": Case("r.csv", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + garbage(1),
                          "binary"),
    # header
    "missing-employee-id-column": Case("r.csv", lambda: b"email,department\na@x.jp,X\n",
                                       "missing_column", 1, "employee_id"),
    "missing-email-column": Case("r.csv", lambda: b"employee_id,department\nE1,X\n",
                                 "missing_column", 1, "email"),
    "duplicate-header": Case("r.csv", lambda: rows_csv("E1,a@x.jp,X,Y\n",
                                                       "employee_id,email,department,Department\n"),
                             "duplicate_column", 1, "Department"),
    "duplicate-header-via-alias": Case(
        "r.csv", lambda: rows_csv("E1,a@x.jp,E1\n", "employee_id,email,職員番号\n"),
        "duplicate_column", 1, "職員番号"),
    "empty-header-cell": Case("r.csv", lambda: rows_csv("E1,X,a@x.jp\n", "employee_id,,email\n"),
                              "empty_column_name", 1, "B"),
    "control-character-in-header": Case(
        "r.csv", lambda: rows_csv("E1,a@x.jp,X\n", "employee_id,email,depa\x01rtment\n"),
        "control", 1, "C"),
    "formula-in-header": Case("r.csv", lambda: rows_csv("E1,a@x.jp,X\n",
                                                        "employee_id,email,=cmd|' /C calc'!A0\n"),
                              "formula", 1, "C"),
    # shape
    "ragged-extra-field": Case("r.csv", lambda: rows_csv("E1,a@x.jp,X\nE2,b@x.jp,Y,surplus\n"),
                               "field_count", 3),
    "missing-field": Case("r.csv", lambda: rows_csv("E1,a@x.jp,X\nE2,b@x.jp\n"),
                          "field_count", 3),
    "unbalanced-quote": Case("r.csv", lambda: rows_csv('E1,a@x.jp,X\nE2,"b@x.jp,Y\n'),
                             "malformed", 3),
    "empty-file": Case("r.csv", lambda: b"", "empty"),
    "only-blank-lines": Case("r.csv", lambda: b"\r\n\r\n , \r\n", "empty"),
    "header-only": Case("r.csv", lambda: HEADER.encode(), "empty"),
    # values
    "duplicate-employee-id": Case("r.csv", lambda: rows_csv("E1,a@x.jp,X\nE1,b@x.jp,X\n"),
                                  "duplicate_value", 3, "employee_id"),
    "duplicate-employee-id-after-nfkc": Case(
        "r.csv", lambda: rows_csv("1001,a@x.jp,X\n１００１,b@x.jp,X\n"),
        "duplicate_value", 3, "employee_id"),
    "duplicate-email-other-case": Case("r.csv", lambda: rows_csv("E1,ab@x.jp,X\nE2,AB@X.JP,X\n"),
                                       "duplicate_value", 3, "email"),
    "invalid-email": Case("r.csv", lambda: rows_csv("E1,a@x.jp,X\nE2,not-an-address,X\n"),
                          "invalid_email", 3, "email"),
    "neither-employee-id-nor-email": Case("r.csv", lambda: rows_csv(" , ,X\n"),
                                          "no_identity", 2),
    "over-long-employee-id": Case("r.csv", lambda: rows_csv("E" * 81 + ",a@x.jp,X\n"),
                                  "too_long", 2, "employee_id"),
    "over-long-attribute": Case("r.csv", lambda: rows_csv("E1,a@x.jp," + "課" * 101 + "\n"),
                                "too_long", 2, "department"),
    "formula-equals": Case("r.csv", lambda: rows_csv('E1,a@x.jp,"=HYPERLINK(""http://x"")"\n'),
                           "formula", 2, "department"),
    "formula-full-width-equals": Case("r.csv", lambda: rows_csv("E1,a@x.jp,＝1+1\n"),
                                      "formula", 2, "department"),
    "formula-plus": Case("r.csv", lambda: rows_csv("E1,a@x.jp,+81-3-1234\n"),
                         "formula", 2, "department"),
    "formula-minus": Case("r.csv", lambda: rows_csv("E1,a@x.jp,-2+3\n"),
                          "formula", 2, "department"),
    "formula-at": Case("r.csv", lambda: rows_csv("E1,a@x.jp,@SUM(A1:A9)\n"),
                       "formula", 2, "department"),
    "control-bell": Case("r.csv", lambda: rows_csv("E1,a@x.jp,税務\x07課\n"),
                         "control", 2, "department"),
    "control-escape-sequence": Case("r.csv", lambda: rows_csv("E1,a@x.jp,\x1b[31m税務課\n"),
                                    "control", 2, "department"),
    "zero-width-space": Case("r.csv", lambda: rows_csv("E1\u200b,a@x.jp,税務課\n"),
                             "control", 2, "employee_id"),
    # size
    "50-mb": Case("big.csv", lambda: b"employee_id,email\n" + b"x" * (50 * 1024 * 1024),
                  "too_large"),
    "too-many-rows": Case("r.csv", too_many_rows, "too_many_rows", 200_002),
    # XLSX
    "random-bytes-named-xlsx": Case("r.xlsx", lambda: garbage(3), "not_xlsx"),
    "csv-renamed-xlsx": Case("r.xlsx", GOOD.encode, "not_xlsx"),
    "zip-that-is-not-a-workbook": Case("r.xlsx", lambda: zip_bytes({"hello.txt": "hi"}),
                                       "not_xlsx"),
    "truncated-xlsx": Case("r.xlsx", lambda: xlsx_bytes([["employee_id", "email"]])[:700],
                           "not_xlsx"),
    "empty-workbook": Case("r.xlsx", lambda: xlsx_bytes([]), "empty"),
    "xlsx-duplicate-ids": Case(
        "r.xlsx", lambda: xlsx_bytes([["職員番号", "メールアドレス"], [1001, "a@x.jp"],
                                      [1001.0, "b@x.jp"]]),
        "duplicate_value", 3, "職員番号"),
    # type
    "txt-extension": Case("roster.txt", GOOD.encode, "unsupported_type"),
    "pdf": Case("roster.pdf", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "unsupported_type"),
    "no-extension": Case("roster", GOOD.encode, "unsupported_type"),
    # hierarchy
    "hierarchy-unit-with-two-parents": Case(
        "r.csv", lambda: rows_csv("E1,a@x.jp,総務部,庶務課\nE2,b@x.jp,財務部,庶務課\n",
                                  "employee_id,email,部,課\n"),
        "hierarchy_parent", 3, "課", hierarchy="部,課"),
    "hierarchy-unknown-column": Case("r.csv", GOOD.encode, "hierarchy_column", None, "課",
                                     hierarchy="department,課"),
    # concurrent posts (兼務)
    "concurrent-unit-unknown": Case(
        "r.csv", lambda: rows_csv("E1,a@x.jp,税務課,\nE2,b@x.jp,住民課,税務課、広報室\n",
                                  "employee_id,email,課,兼務先\n"),
        "unknown_unit", 3, "兼務先", hierarchy="課"),
    "concurrent-unit-ambiguous": Case(
        "r.csv", lambda: rows_csv("E1,a@x.jp,議会事務局,議会事務局,\n"
                                  "E2,b@x.jp,総務部,総務課,議会事務局\n",
                                  "employee_id,email,部,課,concurrent_units\n"),
        "ambiguous_unit", 3, "concurrent_units", hierarchy="部,課"),
    "post-type-unknown": Case("r.csv", post_rows("E1,,住民課,出向"), "post_type_value", 3,
                              "本務兼務", hierarchy="課"),
    "post-without-main-row": Case("r.csv", post_rows("E2,,住民課,兼務"), "post_without_main", 3,
                                  "employee_id", hierarchy="課"),
    "post-with-another-email": Case("r.csv", post_rows("E1,b@x.jp,住民課,兼務"),
                                    "post_email_mismatch", 3, "email", hierarchy="課"),
    "post-without-unit": Case("r.csv", post_rows("E1,,,兼務"), "post_without_unit", 3, "課",
                              hierarchy="課"),
    "two-main-rows": Case("r.csv", post_rows("E1,a@x.jp,住民課,本務"), "duplicate_value", 3,
                          "employee_id", hierarchy="課"),
}


def snapshot(app: Flask) -> dict[str, Any]:
    """Everything an import could write: people, settings and the audit log."""
    with app.app_context():
        return {
            "people": sorted((p.employee_id, p.email, sorted(p.attributes.items()), p.active,
                              p.concurrent) for p in db.session.scalars(select(Person))),
            "settings": {s.key: s.value for s in db.session.scalars(select(Setting))},
            "audit": len(db.session.scalars(select(AuditEvent)).all()),
        }


def expected_error(app: Flask, case: Case, data: bytes) -> RosterError:
    """The error the import pipeline raises for this file (the CLI must print its message)."""
    with app.test_request_context("/?lang=en"):
        try:
            check_size(len(data), app.config["ROSTER_MAX_BYTES"])
            rows = parse_roster(case.filename, data, max_rows=app.config["ROSTER_MAX_ROWS"])
            import_roster(db.session, rows, parse_hierarchy(case.hierarchy))
        except RosterError as error:
            error.english = roster_message(error)  # type: ignore[attr-defined]
            return error
        finally:
            db.session.rollback()
    pytest.fail(f"{case} was accepted")


def run_import(runner: FlaskCliRunner, path: Path, hierarchy: str | None = None) -> Any:
    args = ["roster", "import", str(path)]
    if hierarchy is not None:
        args += ["--hierarchy", hierarchy]
    return runner.invoke(args=args)


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_file_is_refused_with_one_line_and_nothing_written(
    name: str, app: Flask, runner: FlaskCliRunner, make_roster: Callable[..., int],
    tmp_path: Path,
) -> None:
    case = BROKEN[name]
    make_roster(count=12)
    before = snapshot(app)
    data = case.data()
    path = tmp_path / case.filename
    path.write_bytes(data)

    error = expected_error(app, case, data)
    assert (error.code, error.row, error.column) == (case.code, case.row, case.column)

    started = time.perf_counter()
    result = run_import(runner, path, case.hierarchy)
    elapsed = time.perf_counter() - started
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert lines == [f"Error: {error.english}"]  # type: ignore[attr-defined]
    assert snapshot(app) == before
    if case.code == "too_large":
        assert elapsed < 1.0, "a file over the limit must be refused by its size, unread"


def test_import_prints_counts_and_warnings_and_records_the_event(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    lines = [f"E{i},p{i}@town.example.jp,{'税務課' if i < 6 else '議会事務局'}" for i in range(8)]
    path = tmp_path / "roster.csv"
    path.write_bytes(("職員番号,メールアドレス,department\r\n" + "\r\n".join(lines))
                     .encode("cp932"))
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "created 8, updated 0, deactivated 0, active 8",
        "A wave opened now would report 0 units as themselves; 2 would be counted within their "
        "parent unit. (details: flask --app app wave preview)",
        "warning: department '議会事務局' has 2 people: its answers will be reported only as "
        "part of a larger group",
    ]
    with app.app_context():
        assert len(db.session.scalars(select(Person)).all()) == 8
        events = db.session.scalars(select(AuditEvent)).all()
        assert [(e.action, e.actor_role, e.detail, e.public) for e in events] == [
            ("roster_imported", "system", {"active": 8}, True)]


def test_reimport_from_xlsx_updates_deactivates_and_stores_the_hierarchy(
    app: Flask, runner: FlaskCliRunner, make_roster: Callable[..., int], tmp_path: Path
) -> None:
    make_roster(count=12)  # E0000 … E0011
    rows: list[list[Any]] = [["employee_id", "email", "部", "課"]]
    rows += [[f"E{i:04d}", f"new{i}@town.example.jp", "総務部", "総務課" if i % 2 else "財政課"]
             for i in range(10)]
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    result = run_import(runner, path, "部,課")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "created 0, updated 10, deactivated 2, active 10"
    with app.app_context():
        people = {p.employee_id: p for p in db.session.scalars(select(Person))}
        assert people["E0003"].email == "new3@town.example.jp"
        assert people["E0003"].attributes == {"部": "総務部", "課": "総務課"}
        assert not people["E0010"].active and not people["E0011"].active
        assert db.session.get(Setting, "group_hierarchy").value == ["部", "課"]


def test_town_with_posts_and_outside_members_says_what_it_made(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(xlsx_bytes(town.rows_table()))
    result = run_import(runner, path, "部,課,係")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "created 26, updated 0, deactivated 0, active 26",
        "2 people have no employee number (e.g. members from outside); each was given a stable "
        "id made from their e-mail address (X-…).",
        "6 people hold a concurrent post (兼務).",
    ]
    with app.app_context():
        stored = {p.employee_id: p.concurrent for p in db.session.scalars(select(Person))}
        assert {person: posts for person, posts in stored.items() if posts} == town.EXPECTED


def test_missing_path_is_a_usage_error(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["roster", "import", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 2
