"""HR exports: the gate's figures only, generalised response rows, formula neutralising, audit."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from reports.exports import Respondent, Sheet, generalise_rows, neutralise, to_csv, to_xlsx
from survey.db import db
from survey.demo import DemoSpec, seed_demo
from survey.models import AuditEvent, Wave
from tests.conftest import TOKEN_KEY

IDENTIFYING = ("id", "token", "response_id", "time", "at", "submitted", "employee_id", "email")


@pytest.fixture()
def waves(app: Flask) -> list[int]:
    """Two closed demo waves (60 staff)."""
    with app.app_context():
        made = seed_demo(db.session, DemoSpec(staff=60, waves=2, seed=1), TOKEN_KEY)
        return [w.id for w in made]


def sections(path: Path) -> list[list[list[str]]]:
    """A CSV export split into its sections (blank line between), notes rows removed."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel must start with a UTF-8 BOM"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    out: list[list[list[str]]] = [[]]
    for row in rows:
        if not row:
            out.append([])
        elif not row[0].startswith("# "):
            out[-1].append(row)
    return out


def notes(path: Path) -> list[str]:
    return [line for line in path.read_bytes().decode("utf-8-sig").splitlines()
            if line.lstrip('"').startswith("# ")]


# -- formula injection ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx",
                                  "=HYPERLINK(\"http://evil\")"])
def test_cells_that_start_a_formula_are_prefixed_with_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert neutralise("税務課") == "税務課"
    assert neutralise(-3) == -3
    assert neutralise(4.5) == 4.5


def test_csv_and_xlsx_never_carry_a_live_formula() -> None:
    sheet = Sheet("s", ("=head", "b"), [("=1+1", "@x"), ("-1", 2)], notes=("note",))
    text = to_csv([sheet]).decode("utf-8-sig")
    assert "'=head" in text and "'=1+1" in text and "'@x" in text and "'-1" in text
    book = load_workbook(io.BytesIO(to_xlsx([sheet])))
    values = [c.value for row in book["s"].iter_rows() for c in row]
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for v in values), values
    assert all(c.data_type != "f" for row in book["s"].iter_rows() for c in row)


# -- generalising response rows (pure) ------------------------------------------------------

def cell(dept: str, band: str) -> tuple[tuple[str, str], ...]:
    return (("department", dept), ("tenure_band", band))


def people(spec: dict[tuple[tuple[str, str], ...], int]) -> list[Respondent]:
    return [Respondent(key, {1: 3}) for key, n in spec.items() for _ in range(n)]


def test_every_exported_combination_has_at_least_k_rows() -> None:
    rows = people({cell("A", "x"): 6, cell("A", "y"): 2, cell("B", "x"): 5, cell("B", "y"): 4})
    result = generalise_rows(rows, ["department", "tenure_band"], [], 5)
    classes = Counter(key for key, _ in result.rows)
    assert min(classes.values()) >= 5
    assert len(result.rows) + result.dropped == len(rows)


def test_a_small_residual_is_absorbed_not_left_to_subtraction() -> None:
    # A:x and B:y cannot reach 5 on their own; leaving them out would let anyone compute
    # their answers as (published total − exported rows).
    rows = people({cell("A", "x"): 8, cell("B", "y"): 2, cell("C", "z"): 7})
    result = generalise_rows(rows, ["department", "tenure_band"], [], 5)
    assert result.dropped == 0
    assert min(Counter(key for key, _ in result.rows).values()) >= 5


def test_a_wave_below_k_exports_no_rows_and_says_how_many_were_dropped() -> None:
    result = generalise_rows(people({cell("A", "x"): 4}), ["department", "tenure_band"], [], 5)
    assert result.rows == [] and result.dropped == 4


def smallest_piece(cells: list[tuple], result, published: list[frozenset]) -> int:
    """Rows told apart by (published groups, export class); answers carry the cell index."""
    pieces = Counter((tuple(cells[a[1]] in g for g in published), key) for key, a in result.rows)
    return min(pieces.values())


def test_classes_are_coarsened_until_no_piece_next_to_a_published_group_is_small() -> None:
    cells = [cell("A", "x"), cell("A", "y"), cell("B", "x"), cell("B", "y")]
    rows = [Respondent(c, {1: i}) for i, (c, n) in enumerate(zip(cells, (5, 5, 2, 5),
                                                                  strict=True)) for _ in range(n)]
    published = [frozenset(cells), frozenset(cells[:2])]  # the total and department A
    naive = generalise_rows(rows, ["department", "tenure_band"], [], 5)
    assert smallest_piece(cells, naive, published) == 2  # B:x = class(*,*) − department A:x
    safe = generalise_rows(rows, ["department", "tenure_band"], [], 5, published)
    assert smallest_piece(cells, safe, published) >= 5
    assert safe.dropped == 0 and len(safe.rows) == len(rows)


# -- the command ----------------------------------------------------------------------------

def test_old_contract_writes_response_rows_without_identifying_columns(
        app: Flask, runner, waves: list[int], tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["export", "--wave", str(waves[0]), "--format", "csv",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    [table] = sections(out)
    header, rows = table[0], table[1:]
    assert not set(h.lower() for h in header) & set(IDENTIFYING)
    assert header[:2] == ["department", "tenure_band"]
    with app.app_context():
        wave = db.session.get(Wave, waves[0])
        assert len(rows) == wave.responded_count
    classes = Counter(tuple(row[:2]) for row in rows)
    assert min(classes.values()) >= 5
    assert any("rows dropped" in line and line.rstrip('"').endswith(": 0") for line in notes(out))


def test_response_rows_come_in_a_fresh_random_order(runner, waves: list[int],
                                                    tmp_path: Path) -> None:
    orders = []
    for name in ("a.csv", "b.csv"):
        runner.invoke(args=["export", "--wave", str(waves[0]), "--out", str(tmp_path / name)])
        orders.append(sections(tmp_path / name)[0][1:])
    assert sorted(orders[0]) == sorted(orders[1])
    assert orders[0] != orders[1]  # 45 rows: the chance of equal order is 1/45!


def test_aggregate_export_shows_only_gated_groups(app: Flask, runner, waves: list[int],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "agg.csv"
    result = runner.invoke(args=["export", "--wave", str(waves[0]), "--kind", "aggregate",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    [table] = sections(out)
    header = table[0]
    rows = [dict(zip(header, row, strict=True)) for row in table[1:]]
    assert {r["breakdown"] for r in rows} == {"all", "department", "tenure_band"}
    for row in rows:
        if row["status"] == "shown":
            assert int(row["n"]) >= 5
        else:
            assert row["n"] == row["mean"] == "suppressed" and row["reason_code"]
    totals = [r for r in rows if r["group"] == "all" and r["measure"] == "principle:citizen"]
    assert int(totals[0]["n"]) > 0 and 1 <= float(totals[0]["mean"]) <= 5


def test_suppressed_groups_are_rows_that_say_so(app: Flask, runner, tmp_path: Path) -> None:
    with app.app_context():
        [wave] = seed_demo(db.session, DemoSpec(staff=45, waves=1, seed=3, participation=0.45),
                           TOKEN_KEY)
        wave_id = wave.id
    out = tmp_path / "agg.csv"
    runner.invoke(args=["export", "--wave", str(wave_id), "--kind", "aggregate",
                        "--out", str(out)])
    [table] = sections(out)
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    hidden = [r for r in rows if r["status"] != "shown"]
    assert hidden, "this seed must produce a group below k"
    for row in hidden:
        assert row["reason_code"] in {"below_k", "complementary", "rolled_up"}
        assert all(row[c] == "suppressed" for c in ("n", "mean", "favourable_pct", "score"))


def test_xlsx_export_with_comments_keeps_comments_apart(app: Flask, runner, waves: list[int],
                                                        tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    result = runner.invoke(args=["export", "--wave", str(waves[0]), "--format", "xlsx",
                                 "--comments", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["responses", "comments"]
    header = next(r for r in book["responses"].iter_rows(values_only=True)
                  if not str(r[0]).startswith("# "))
    assert "comment" not in header
    comments = [r for r in book["comments"].iter_rows(values_only=True)
                if not str(r[0]).startswith("# ")][1:]
    assert comments and all(len(r) == 2 for r in comments)


def test_without_comments_flag_no_free_text_is_exported(runner, waves: list[int],
                                                        tmp_path: Path) -> None:
    from survey.demo import COMMENTS

    out = tmp_path / "export.csv"
    runner.invoke(args=["export", "--wave", str(waves[0]), "--out", str(out)])
    text = out.read_bytes().decode("utf-8-sig")
    assert not any(comment in text for comment in COMMENTS)


@pytest.mark.parametrize(("args", "reason"), [
    (["--wave", "9999"], "no wave with id 9999"),
    (["--wave", "{open}"], "is not closed"),
    (["--wave", "{closed}", "--format", "pdf"], "Invalid value"),
])
def test_bad_input_exits_non_zero_with_one_line(runner, open_wave, waves: list[int],
                                                tmp_path: Path, args, reason) -> None:
    open_id, _links = open_wave(label="open-now", roster=False)
    args = [a.format(open=open_id, closed=waves[0]) for a in args]
    result = runner.invoke(args=["export", *args, "--out", str(tmp_path / "x.csv")])
    assert result.exit_code != 0
    assert reason in result.output
    assert not (tmp_path / "x.csv").exists()


def test_every_export_is_logged_publicly(app: Flask, runner, client, waves: list[int],
                                         tmp_path: Path) -> None:
    runner.invoke(args=["export", "--wave", str(waves[1]), "--kind", "aggregate",
                        "--out", str(tmp_path / "a.csv")])
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "export_made")).one()
        label = db.session.get(Wave, waves[1]).label
        assert event.public and event.actor_role == "system"  # the command line
        assert event.detail["kind"] == "aggregate" and event.detail["wave"] == label
    page = client.get("/transparency?lang=en").get_data(as_text=True)
    assert "Export made: aggregate of round " + label in page
