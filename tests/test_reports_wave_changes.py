"""The report carries on when principles, items, roster columns or units change between waves.

Organisations add principles and columns and reorganise units every April.  A measure or group
that the previous wave lacks simply has no comparison (said so, code ``not_in_both``); no page,
PDF or JSON answer may fail or turn into "page does not exist" (issue 16, item 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.answering.services import submit
from survey.db import begin_write, db
from survey.models import Item, ItemKind, Principle
from survey.org_settings import current_thresholds, group_hierarchy
from survey.principles.services import add_item, add_principle, survey_by_name, update_item
from survey.roster.services import import_roster
from survey.waves.closing import close_wave
from survey.waves.services import WavePlan, open_wave
from survey.waves.tokens import derive_token
from tests.conftest import TOKEN_KEY

DEPARTMENTS = ("税務課", "住民課", "総務課", "福祉課")
FIRST, SECOND = dt.date(2026, 5, 1), dt.date(2026, 8, 1)  # FY2026Q1 and FY2026Q2


def roster(columns: dict[str, Callable[[int], str]], count: int = 60) -> list[dict[str, str]]:
    return [{"employee_id": f"E{i:04d}", "email": f"s{i:04d}@town.example.jp",
             **{name: value(i) for name, value in columns.items()}} for i in range(count)]


BASE = {"department": lambda i: DEPARTMENTS[i % 4], "tenure_band": lambda i: "AB"[i // 30]}


def _remove_items(where: Callable[[Item], bool]) -> None:
    survey = survey_by_name(db.session, None)
    survey.entries = [e for e in survey.entries if not where(e.item)]
    for position, entry in enumerate(survey.entries):
        entry.position = position


def principle_added() -> None:
    principle = add_principle(db.session, "listening", "声を聴かねばなりませぬ", "Listen")
    db.session.flush()
    add_item(db.session, survey_by_name(db.session, None), principle, "likert5", "聴いた", "Heard")


def principle_removed() -> None:
    _remove_items(lambda item: item.principle is not None and item.principle.code == "evidence")
    db.session.scalar(select(Principle).where(Principle.code == "evidence")).active = False


def item_added() -> None:
    citizen = db.session.scalar(select(Principle).where(Principle.code == "citizen"))
    add_item(db.session, survey_by_name(db.session, None), citizen, "likert5", "追加", "Added")


def item_reworded() -> None:
    item = db.session.scalar(select(Item).where(Item.key == "citizen.1", Item.current))
    update_item(db.session, item, item.text_ja + "（改）", item.text_en + " (new)", item.reverse)


def item_removed() -> None:
    _remove_items(lambda item: item.key == "citizen.2")


CASES: dict[str, tuple[Callable[[], None] | None, dict, list[str] | None]] = {
    "principle added": (principle_added, BASE, None),
    "principle removed": (principle_removed, BASE, None),
    "item added": (item_added, BASE, None),
    "item reworded": (item_reworded, BASE, None),
    "item removed": (item_removed, BASE, None),
    "column added, sorting first": (None, {**BASE, "a_grade": lambda i: "XY"[i % 2]},
                                    ["a_grade"]),
    "column removed": (None, {"department": BASE["department"]}, []),
    "column renamed": (None, {"department": BASE["department"],
                              "tenure": BASE["tenure_band"]}, ["tenure"]),
    "unit split": (None, {**BASE, "department": lambda i: ((*DEPARTMENTS, "収納課"))[i % 5]},
                   None),
    "units merged": (None, {**BASE, "department": lambda i: DEPARTMENTS[i % 2]}, None),
}


def _wave(label: str, opens: dt.date, rows: list[dict[str, str]],
          secondary: list[str] | None) -> None:
    begin_write(db.session)
    import_roster(db.session, rows)
    survey = survey_by_name(db.session, None)
    wave = open_wave(db.session, survey, WavePlan(label, opens, opens + dt.timedelta(days=13)),
                     current_thresholds(db.session), group_hierarchy(db.session), TOKEN_KEY,
                     allow_past=True, secondary=secondary)
    items = [entry.item for entry in wave.items]
    for index, row in enumerate(rows):
        answers: dict[int, int | str] = {
            item.id: (index + item.id) % 11 if item.kind == ItemKind.NPS11 else
            1 + (index * 7 + item.id) % 5 for item in items if item.kind != ItemKind.COMMENT}
        submit(db.session, derive_token(TOKEN_KEY, wave.public_id, row["employee_id"]), answers,
               on=opens + dt.timedelta(days=2))
    close_wave(db.session, wave)
    db.session.commit()


@pytest.mark.parametrize("case", list(CASES))
def test_every_output_carries_on_after_a_change(
        app: Flask, login: Callable[[str], FlaskClient], case: str) -> None:
    change, columns, secondary = CASES[case]
    with app.app_context():
        _wave("before", FIRST, roster(BASE), ["tenure_band"])
        begin_write(db.session)
        if change is not None:
            change()
        db.session.commit()
        _wave("after", SECOND, roster(columns), secondary)
    client = login("leadership")
    assert client.get("/reports/").status_code == 200
    data = client.get("/api/v1/reports/FY2026Q2").get_json()
    assert data["wave"] == "after" and data["previous_wave"] == "before"
    for by in ["", *data["breakdowns_offered"], "tenure_band", "no_such_column"]:
        page = client.get(f"/reports/FY2026Q2?by={by}")
        assert page.status_code == 200, (case, by)
        assert client.get(f"/api/v1/reports/FY2026Q2?by={by}").status_code == 200, (case, by)
    assert client.get("/reports/FY2026Q2.pdf").status_code == 200
    if case == "principle added":
        change_of_new = data["principles"]["listening"]["change"]
        assert change_of_new["suppressed"] == "not_in_both"


def test_a_malformed_quarter_is_a_404_and_an_internal_error_is_not(
        app: Flask, login: Callable[[str], FlaskClient]) -> None:
    client = login("leadership")
    assert client.get("/reports/FY20X6Q9").status_code == 404
