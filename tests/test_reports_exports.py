"""HR exports: the gate's figures only, generalised response rows, formula neutralising, audit."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from reports.disclosure import Cell, plan
from reports.exports import (
    ExportError,
    Respondent,
    Sheet,
    generalise_rows,
    make_export,
    neutralise,
    to_csv,
    to_package,
    to_xlsx,
)
from reports.exports._aggregate import HEADER, note
from reports.exports._text import column_labels
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


def unzip(data: bytes) -> tuple[dict[str, list[list[str]]], dict[str, Any]]:
    """A CSV export (a zip): each table's rows by name, and the datapackage.json descriptor.

    Every table must be plain: UTF-8 with BOM for Excel, and a first row that
    ``csv.DictReader`` takes as the header, naming exactly the descriptor's fields.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        tables = {}
        for resource in descriptor["resources"]:
            raw = archive.read(resource["path"])
            assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel must start with a UTF-8 BOM"
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert rows[0] == [f["name"] for f in resource["schema"]["fields"]]
            tables[resource["name"]] = rows
    return tables, descriptor


def sections(path: Path) -> list[list[list[str]]]:
    """The tables of a CSV export, in order (each: header row, then rows)."""
    return list(unzip(path.read_bytes())[0].values())


def notes(path: Path) -> list[str]:
    """Every note of a CSV export's tables (from datapackage.json)."""
    return [line for resource in unzip(path.read_bytes())[1]["resources"]
            for line in resource["description"].splitlines()]


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
    text = to_csv(sheet).decode("utf-8-sig")
    assert "'=head" in text and "'=1+1" in text and "'@x" in text and "'-1" in text
    book = load_workbook(io.BytesIO(to_xlsx([sheet])))
    values = [c.value for row in book["s"].iter_rows() for c in row]
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for v in values), values
    assert all(c.data_type != "f" for row in book["s"].iter_rows() for c in row)


def test_the_table_is_plain_and_notes_and_labels_travel_beside_it_neutralised() -> None:
    sheet = Sheet("s", ("a", "b", "c"), [("x", 1, 2.5)], notes=("=note",),
                  labels=("=label", "-2 ラベル", "@cmd"))
    rows = list(csv.DictReader(io.StringIO(to_csv(sheet).decode("utf-8-sig"))))
    assert rows == [{"a": "x", "b": "1", "c": "2.5"}]  # one header row, then data
    tables, descriptor = unzip(to_package([sheet], "naranu-test"))
    assert tables == {"s": [["a", "b", "c"], ["x", "1", "2.5"]]}
    [resource] = descriptor["resources"]
    assert descriptor["profile"] == "tabular-data-package"
    assert resource["description"] == "'=note"
    assert [(f["name"], f["title"], f["type"]) for f in resource["schema"]["fields"]] == [
        ("a", "'=label", "string"), ("b", "'-2 ラベル", "integer"), ("c", "'@cmd", "number")]
    book = load_workbook(io.BytesIO(to_xlsx([sheet])))
    assert [[c.value for c in row] for row in book["s"].iter_rows()] == [["a", "b", "c"],
                                                                         ["x", 1, 2.5]]
    assert [list(r) for r in book["notes"].iter_rows(values_only=True)] == [
        ["sheet", "column", "label", "note"], ["s", None, None, "'=note"],
        ["s", "a", "'=label", None], ["s", "b", "'-2 ラベル", None], ["s", "c", "'@cmd", None]]
    assert all(c.data_type != "f" for s in book for row in s.iter_rows() for c in row)


def test_labels_must_name_every_column() -> None:
    with pytest.raises(ValueError, match="2 labels for 3 columns"):
        Sheet("s", ("a", "b", "c"), [], labels=("A", "B"))


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
    assert header[:2] == ["department", "team"]  # units first, broad to fine
    with app.app_context():
        wave = db.session.get(Wave, waves[0])
        assert len(rows) == wave.responded_count
    classes = Counter(tuple(row[:2]) for row in rows)
    assert min(classes.values()) >= 5
    assert any("除いた行数" in line and line.rstrip('"').endswith("：0") for line in notes(out))


def test_english_notes_say_how_many_rows_were_dropped(runner, waves: list[int],
                                                      tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["export", "--wave", str(waves[0]), "--lang", "en",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
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
    assert {r["breakdown"] for r in rows} == {"all", "department", "team", "tenure_band"}
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
    assert book.sheetnames == ["responses", "comments", "notes"]
    header = next(book["responses"].iter_rows(values_only=True))
    assert "comment" not in header
    comments = list(book["comments"].iter_rows(values_only=True))[1:]
    assert comments and all(len(r) == 2 for r in comments)


def test_without_comments_flag_no_free_text_is_exported(runner, waves: list[int],
                                                        tmp_path: Path) -> None:
    from survey.demo import COMMENTS

    out = tmp_path / "export.zip"
    runner.invoke(args=["export", "--wave", str(waves[0]), "--out", str(out)])
    tables, descriptor = unzip(out.read_bytes())
    text = json.dumps([tables, descriptor], ensure_ascii=False)
    assert list(tables) == ["responses"]
    assert not any(comment in text for comment in COMMENTS)


@pytest.mark.parametrize(("args", "reason"), [
    (["--wave", "9999"], "no wave with id 9999"),
    (["--wave", "{open}"], "is not closed"),
    (["--wave", "{closed}", "--format", "pdf"], "Invalid value"),
    (["--wave", "{closed}", "--lang", "fr"], "Invalid value"),
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
    assert "Export made: aggregate figures of round " + label in page


# -- language -------------------------------------------------------------------------------

def read_export(path: Path) -> list[list[Any]]:
    """Every row of a CSV or XLSX export's tables (in order), empty cells as ''."""
    if path.suffix == ".csv":
        return [row for table in sections(path) for row in table]
    book = load_workbook(path)
    return [["" if v is None else v for v in row] for sheet in book
            if sheet.title != "notes" for row in sheet.iter_rows(values_only=True)]


def described(path: Path) -> list[list[Any]]:
    """What an export says beside its tables: per table, each note, then its column labels.

    From datapackage.json (CSV) or the ``notes`` sheet (XLSX); the two must say the same.
    """
    if path.suffix == ".csv":
        return [line for resource in unzip(path.read_bytes())[1]["resources"]
                for line in ([[n] for n in resource["description"].splitlines()]
                             + [[f["title"] for f in resource["schema"]["fields"]]])]
    rows = list(load_workbook(path)["notes"].iter_rows(values_only=True))
    assert rows[0] == ("sheet", "column", "label", "note")
    out: list[list[Any]] = []
    for sheet in dict.fromkeys(row[0] for row in rows[1:]):
        mine = [row for row in rows[1:] if row[0] == sheet]
        out.extend([note_text] for _s, column, _l, note_text in mine if column is None)
        out.append([label for _s, column, label, _n in mine if column is not None])
    return out


def export_both(runner, wave_id: int, tmp_path: Path, kind: str, fmt: str,
                read: Any = read_export, *extra: str) -> dict[str, list[list[Any]]]:
    """The same export in the default language and with ``--lang en``, ``read`` from files."""
    out = {}
    for name, lang in (("default", []), ("en", ["--lang", "en"])):
        path = tmp_path / f"{name}.{fmt}"
        result = runner.invoke(args=["export", "--wave", str(wave_id), "--kind", kind,
                                     "--format", fmt, *lang, *extra, "--out", str(path)])
        assert result.exit_code == 0, result.output
        out[name] = read(path)
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_aggregate_notes_and_labels_are_japanese_by_default_english_on_request(
        runner, waves: list[int], tmp_path: Path, fmt: str) -> None:
    got = export_both(runner, waves[0], tmp_path, "aggregate", fmt, described)
    ja, en = got["default"], got["en"]
    assert ja[0][0].startswith("naranu 集計データ；実施回 ") and ja[0][0].endswith("；k=5")
    assert en[0][0].startswith("naranu aggregate export; wave ") and en[0][0].endswith("k=5")
    assert "引き算" in ja[1][0] and "subtraction" in en[1][0]
    assert "行動指針では、その行動指針の設問への回答の平均が4以上の人の割合" in ja[2][0]
    assert "for a principle, the share of people whose average" in en[2][0]
    assert ja[-1][:4] == ["指標", "行動指針・設問", "集計の切り口", "グループ"]
    assert en[-1][:4] == ["Measure", "Principle or question", "Broken down by", "Group"]
    assert len(ja) == len(en) and not {tuple(line) for line in ja} & {tuple(line) for line in en}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_only_words_change_with_the_language_never_keys_codes_or_numbers(
        runner, waves: list[int], tmp_path: Path, fmt: str) -> None:
    got = export_both(runner, waves[0], tmp_path, "aggregate", fmt)
    tables = got
    assert tables["default"][0] == tables["en"][0] == list(HEADER)
    words = {HEADER.index("title"), HEADER.index("note")}
    same = [[[v for i, v in enumerate(row) if i not in words] for row in table]
            for table in tables.values()]
    assert same[0] == same[1]
    titles = {lang: {r[HEADER.index("title")] for r in table[1:]} for lang, table in tables.items()}
    assert "町民本位でなければなりませぬ" in titles["default"]
    assert "Put the citizen first" in titles["en"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_suppression_notes_follow_the_language(app: Flask, runner, tmp_path: Path,
                                               fmt: str) -> None:
    with app.app_context():
        [wave] = seed_demo(db.session, DemoSpec(staff=45, waves=1, seed=3, participation=0.45),
                           TOKEN_KEY)
        wave_id = wave.id
    got = export_both(runner, wave_id, tmp_path, "aggregate", fmt)
    notes_by_lang = {}
    for lang, rows in got.items():
        table = rows
        hidden = [dict(zip(table[0], r, strict=True)) for r in table[1:]
                  if r[HEADER.index("status")] != "shown"]
        assert hidden and all(r["n"] == "suppressed" for r in hidden)
        notes_by_lang[lang] = {r["reason_code"]: r["note"] for r in hidden}
    assert notes_by_lang["default"]["below_k"] == "回答が 5 件未満"
    assert notes_by_lang["en"]["below_k"] == "fewer than 5 answers"


def unit_plan():
    """部 X holds 課 a (10) and two small 課 that roll up into it; 部 Y is shown alone."""
    counts = {("X", "a"): 10, ("X", "b"): 3, ("X", "c"): 3, ("Y", "d"): 8}
    cells = [Cell((("課", ka), ("部", bu)), n, n) for (bu, ka), n in counts.items()]
    return plan(cells, ["部", "課"], ["部", "課"], 5)


@pytest.mark.parametrize(("lang", "rolled", "parent"), [
    ("ja", "回答が 5 件未満。部=X に含めて集計", "部=X / 課=b、部=X / 課=c を含む"),
    ("en", "fewer than 5 answers; counted in 部=X", "includes 部=X / 課=b and 部=X / 課=c"),
])
def test_roll_up_notes_are_written_in_the_export_language(app: Flask, lang: str, rolled: str,
                                                          parent: str) -> None:
    groups = {tuple(v for _, v in d.label): d for d in unit_plan().groups(("課",))}
    with app.app_context(), force_locale(lang):
        assert note(groups[("X", "b")], 5) == rolled
        assert note(groups[("X",)], 5) == parent
        assert note(groups[("Y", "d")], 5) == ""


def test_every_column_label_is_translated(app: Flask) -> None:
    with app.app_context():
        with force_locale("ja"):
            ja = column_labels(HEADER)
        with force_locale("en"):
            en = column_labels(HEADER)
    assert [key for key, j, e in zip(HEADER, ja, en, strict=True) if j == e] == ["enps"]


def test_response_labels_name_attributes_and_questions(runner, waves: list[int],
                                                       tmp_path: Path) -> None:
    got = export_both(runner, waves[0], tmp_path, "responses", "csv", described, "--comments")
    ja, en = got["default"], got["en"]
    responses_ja = next(line for line in ja if len(line) > 2)
    assert responses_ja[0] == "部署" and responses_ja[1] != "tenure_band"
    assert any(label.endswith("（逆転項目）") for label in responses_ja)
    responses_en = next(line for line in en if len(line) > 2)
    assert responses_en[0] == "Department"
    assert any(label.endswith("(reverse-worded)") for label in responses_en)
    assert ["グループ", "自由記述"] in ja and ["Group", "Comment"] in en
    assert any(line[0].startswith("自由記述。回答者が 10 人以上") for line in ja)


def test_withheld_comments_say_why_in_the_export_language(app: Flask, runner,
                                                          tmp_path: Path) -> None:
    with app.app_context():
        [wave] = seed_demo(db.session, DemoSpec(staff=12, waves=1, seed=2, participation=0.8),
                           TOKEN_KEY)
        wave_id, responded = wave.id, wave.responded_count
    assert 5 <= responded < 10, "this seed must clear k but not k_comments"
    got = export_both(runner, wave_id, tmp_path, "responses", "csv", read_export,
                      "--comments")
    assert ["all", "非表示（below_k）：回答者が 10 人未満"] in got["default"]
    assert ["all", "suppressed (below_k): fewer than 10 responses"] in got["en"]


def live_formula(value: Any) -> bool:
    """Text a spreadsheet would evaluate (a CSV number such as ``-12.5`` is just a number)."""
    if not isinstance(value, str) or not value.startswith(("=", "+", "-", "@")):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_localised_text_is_neutralised_in_both_languages(app: Flask, runner, waves: list[int],
                                                         tmp_path: Path, fmt: str) -> None:
    with app.app_context():
        item = db.session.get(Wave, waves[0]).items[0].item
        item.text_ja, item.text_en = "=1+1 町民の声", "@SUM(A1) residents"
        db.session.commit()
    for kind in ("aggregate", "responses"):
        tables = export_both(runner, waves[0], tmp_path, kind, fmt)
        beside = export_both(runner, waves[0], tmp_path, kind, fmt, described)
        cells = {lang: [v for row in rows + beside[lang] for v in row]
                 for lang, rows in tables.items()}
        assert "'=1+1 町民の声" in cells["default"] and "'@SUM(A1) residents" in cells["en"]
        for values in cells.values():
            assert not [v for v in values if live_formula(v)]
    if fmt == "xlsx":
        book = load_workbook(tmp_path / "default.xlsx")
        assert all(c.data_type != "f" for s in book for row in s.iter_rows() for c in row)


def test_an_unknown_language_is_refused(app: Flask, waves: list[int]) -> None:
    with app.app_context(), pytest.raises(ExportError, match="bad_language"):
        make_export(db.session, waves[0], "aggregate", "csv", role="system", lang="fr")
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "export_made")).first() is None
