"""The roster import service on a real database: re-import, warnings, hierarchy, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import Person
from survey.org_settings import group_hierarchy, put_setting
from survey.roster.messages import (
    concurrent_message,
    generated_ids_message,
    roster_message,
    warning_message,
)
from survey.roster.parsing import RosterError, parse_roster
from survey.roster.services import RosterWarning, import_roster, roster_overview, size_warnings
from tests import town
from tests.conftest import roster_rows, xlsx_bytes


def people(session: Session) -> dict[str, tuple[str, dict[str, str], bool]]:
    """employee_id → (email, attributes, active), straight from the database."""
    session.expire_all()
    return {p.employee_id: (p.email, p.attributes, p.active)
            for p in session.scalars(select(Person))}


def person_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


@pytest.fixture()
def english(app: Flask) -> Iterator[None]:
    with app.test_request_context("/?lang=en"):
        yield


def test_first_import_creates_people_and_stores_empty_values_as_missing(
    session: Session,
) -> None:
    rows = [{"employee_id": "E1", "email": "a@x.jp", "課": "税務課", "係": ""},
            {"employee_id": "E2", "email": "b@x.jp", "課": "税務課", "係": "庶務係"}]
    summary = import_roster(session, rows)
    session.commit()
    assert (summary.created, summary.updated, summary.deactivated, summary.active) == (2, 0, 0, 2)
    assert people(session) == {"E1": ("a@x.jp", {"課": "税務課"}, True),
                               "E2": ("b@x.jp", {"課": "税務課", "係": "庶務係"}, True)}


def test_reimport_updates_by_employee_id_deactivates_and_reactivates(session: Session) -> None:
    import_roster(session, [
        {"employee_id": "E1", "email": "a@x.jp", "課": "税務課"},
        {"employee_id": "E2", "email": "b@x.jp", "課": "税務課"},
        {"employee_id": "E3", "email": "c@x.jp", "課": "住民課"},
    ])
    session.commit()
    ids_before = {p.employee_id: p.id for p in session.scalars(select(Person))}

    second = import_roster(session, [
        {"employee_id": "E1", "email": "a.new@x.jp", "課": "住民課"},  # moved and renamed
        {"employee_id": "E2", "email": "b@x.jp", "課": "税務課"},      # unchanged
        {"employee_id": "E4", "email": "d@x.jp", "課": "住民課"},      # joined; E3 left
    ])
    session.commit()
    assert (second.created, second.updated, second.unchanged, second.deactivated,
            second.active) == (1, 1, 1, 1, 3)
    assert people(session) == {
        "E1": ("a.new@x.jp", {"課": "住民課"}, True), "E2": ("b@x.jp", {"課": "税務課"}, True),
        "E3": ("c@x.jp", {"課": "住民課"}, False), "E4": ("d@x.jp", {"課": "住民課"}, True),
    }

    third = import_roster(session, [
        {"employee_id": "E2", "email": "b@x.jp", "課": "税務課"},
        {"employee_id": "E3", "email": "c@x.jp", "課": "税務課"},      # came back, new unit
    ])
    session.commit()
    assert (third.created, third.reactivated, third.deactivated, third.active) == (0, 1, 2, 2)
    state = people(session)
    assert state["E3"] == ("c@x.jp", {"課": "税務課"}, True)
    assert not state["E1"][2] and not state["E4"][2]
    # Nobody was deleted and re-created: waves keep pointing at the same rows.
    assert {p.employee_id: p.id for p in session.scalars(select(Person))
            if p.employee_id in ids_before} == ids_before


def test_nfkc_keeps_one_group_for_half_and_full_width_spellings(session: Session) -> None:
    import_roster(session, [
        {"employee_id": "１", "email": "a@x.jp", "ｶ": "ｿｳﾑ課"},
        {"employee_id": "2", "email": "b@x.jp", "ｶ": "ソウム課"},
    ])
    session.commit()
    assert roster_overview(session).groups == {"カ": 1}
    assert set(people(session)) == {"1", "2"}


def test_invalid_rows_raise_before_anything_is_written(
    session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster(count=10)
    before = people(session)
    rows = roster_rows(12)
    rows[11]["email"] = rows[3]["email"].upper()
    with pytest.raises(RosterError) as caught:
        import_roster(session, rows)
    assert (caught.value.code, caught.value.row, caught.value.column) == (
        "duplicate_value", 13, "email")
    assert not session.new and not session.dirty
    assert people(session) == before


def test_the_service_never_commits(session: Session) -> None:
    import_roster(session, roster_rows(6))
    session.rollback()
    assert person_count(session) == 0


def test_hierarchy_is_stored_only_when_consistent(session: Session) -> None:
    rows = [{"employee_id": f"E{i}", "email": f"p{i}@x.jp", "部": "総務部",
             "課": "総務課" if i < 3 else "財政課", "係": "庶務係" if i < 3 else "予算係"}
            for i in range(6)]
    import_roster(session, rows, ["部", "課", "係"])
    session.commit()
    assert group_hierarchy(session) == ["部", "課", "係"]

    rows[5]["係"] = "庶務係"  # now under two different 課
    before = people(session)
    with pytest.raises(RosterError) as caught:
        import_roster(session, rows, ["部", "課", "係"])
    assert (caught.value.code, caught.value.row, caught.value.column) == (
        "hierarchy_parent", 7, "係")
    assert people(session) == before

    import_roster(session, rows)  # no hierarchy given: the stored one is kept
    assert group_hierarchy(session) == ["部", "課", "係"]
    import_roster(session, rows, [])  # an explicit empty hierarchy clears it
    assert group_hierarchy(session) == []


def test_warnings_name_small_groups_and_hopeless_breakdowns(session: Session) -> None:
    put_setting(session, "min_group_size", 5)
    rows = [{"employee_id": f"E{i}", "email": f"p{i}@x.jp",
             "課": "税務課" if i < 6 else "議会事務局",
             "役職": f"職{i}"} for i in range(9)]
    summary = import_roster(session, rows)
    assert summary.warnings == [
        RosterWarning("small_group", "課", "議会事務局", 3),
        RosterWarning("never_shown", "役職"),
    ]


def test_many_small_groups_are_summarised(session: Session) -> None:
    rows = [{"employee_id": f"E{i}", "email": f"p{i}@x.jp", "係": f"係{i}"} for i in range(15)]
    rows += [{"employee_id": f"F{i}", "email": f"q{i}@x.jp", "係": "大係"} for i in range(5)]
    warnings = size_warnings(rows, 5)
    assert [w.code for w in warnings] == ["small_group"] * 10 + ["small_groups_more"]
    assert warnings[-1] == RosterWarning("small_groups_more", "係", count=5)


def test_overview_counts_active_people_and_groups_only(session: Session) -> None:
    import_roster(session, roster_rows(30))
    session.commit()
    import_roster(session, roster_rows(20))
    session.commit()
    overview = roster_overview(session)
    assert (overview.active, overview.inactive) == (20, 10)
    assert overview.groups == {"department": 3, "tenure_band": 3}


def test_messages_in_english(english: None) -> None:
    error = RosterError("invalid_email", row=14, column="email")
    assert roster_message(error) == "row 14, column email: not a valid e-mail address"
    assert roster_message(RosterError("empty")).startswith("the file contains no people")
    assert roster_message(RosterError("missing_column", row=1, column="email")) == (
        "row 1, column email: the header row has no such column; it is required")
    assert warning_message(RosterWarning("small_group", "department", "X", 3)) == (
        "department 'X' has 3 people: its answers will be reported only as part of a larger "
        "group")
    assert "can never be shown" in warning_message(RosterWarning("never_shown", "役職"))


def test_messages_in_japanese(app: Flask) -> None:
    with app.test_request_context("/?lang=ja"):
        error = RosterError("formula", row=3, column="課", char="=")
        assert roster_message(error).startswith("3 行目、列「課」: 値が = で始まっているため")
        assert "最小集計人数" in warning_message(RosterWarning("never_shown", "役職"))


def test_every_error_code_has_its_own_explanation(english: None) -> None:
    codes = ["unsupported_type", "too_large", "too_many_rows", "binary", "encoding", "not_xlsx",
             "malformed", "empty", "empty_column_name", "duplicate_column", "missing_column",
             "field_count", "required", "too_long", "invalid_email", "duplicate_value",
             "formula", "control", "hierarchy_column", "hierarchy_repeated", "hierarchy_parent",
             "no_identity", "post_type_value", "post_without_main", "post_email_mismatch",
             "post_without_unit", "posts_without_hierarchy", "unknown_unit", "ambiguous_unit"]
    texts = {roster_message(RosterError(code)) for code in codes}
    assert len(texts) == len(codes)
    assert not texts & set(codes)


def test_an_empty_roster_is_refused_rather_than_deactivating_everyone(
    session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster(count=10)
    with pytest.raises(RosterError) as caught:
        import_roster(session, [])
    assert caught.value.code == "empty"
    assert sum(active for _email, _attrs, active in people(session).values()) == 10


# -- concurrent posts (兼務) and members from outside ----------------------------------------------

def concurrent(session: Session) -> dict[str, list[list[str]]]:
    """employee_id → Person.concurrent, straight from the database."""
    session.expire_all()
    return {p.employee_id: p.concurrent for p in session.scalars(select(Person))}


TOWN_FILES = {
    "csv-cells": lambda: ("town.csv", town.csv_bytes(town.cells_table())),
    "csv-cells-cp932-line-breaks": lambda: (
        "town.csv", town.csv_bytes(town.cells_table("\n"), "cp932")),
    "xlsx-cells-semicolons": lambda: ("town.xlsx", xlsx_bytes(town.cells_table("; "))),
    "csv-rows-cp932": lambda: ("town.csv", town.csv_bytes(town.rows_table(), "cp932")),
    "xlsx-rows": lambda: ("town.xlsx", xlsx_bytes(town.rows_table())),
}


@pytest.mark.parametrize("shape", list(TOWN_FILES))
def test_a_town_with_concurrent_posts_and_outside_members_imports_in_either_shape(
    shape: str, session: Session,
) -> None:
    filename, data = TOWN_FILES[shape]()
    summary = import_roster(session, parse_roster(filename, data), town.HIERARCHY)
    session.commit()
    assert (summary.created, summary.active, summary.generated_ids, summary.concurrent) == (
        26, 26, 2, 6)
    stored = concurrent(session)
    assert {person: posts for person, posts in stored.items() if posts} == town.EXPECTED
    assert stored["S01"] == [] and stored["J03"] == []  # own unit dropped; none at all
    state = people(session)
    outsider = state[town.generated(town.OUTSIDE[0])]
    assert outsider == (town.OUTSIDE[0], {"部": "総務部", "課": "デジタル変革戦略室",
                                          "役職": "専門官", "雇用区分": "複業人材"}, True)
    assert all("兼務先" not in attributes and "本務兼務" not in attributes
               for _email, attributes, _active in state.values())
    overview = roster_overview(session)
    assert overview.concurrent == 6
    assert set(overview.groups) == {"部", "課", "係", "役職", "雇用区分"}


def test_generated_ids_are_stable_across_imports_and_posts_count_as_updates(
    session: Session,
) -> None:
    table = town.cells_table()
    import_roster(session, parse_roster("t.csv", town.csv_bytes(table)), town.HIERARCHY)
    session.commit()
    ids = {p.employee_id: p.id for p in session.scalars(select(Person))}

    again = import_roster(session, parse_roster("t.csv", town.csv_bytes(table)))
    session.commit()
    assert (again.created, again.updated, again.unchanged, again.generated_ids) == (0, 0, 26, 2)

    table[-2][1] = table[-2][1].upper()  # the same address, written in capitals this time
    capitals = import_roster(session, parse_roster("t.csv", town.csv_bytes(table)))
    session.commit()
    assert (capitals.created, capitals.updated, capitals.deactivated) == (0, 1, 0)  # the e-mail
    assert {p.employee_id: p.id for p in session.scalars(select(Person))} == ids

    table[3][-1] = "企画課"  # S03 leaves the office for 企画課
    third = import_roster(session, parse_roster("t.csv", town.csv_bytes(table)))
    session.commit()
    assert (third.updated, third.unchanged) == (1, 25)
    assert concurrent(session)["S03"] == [["総務部", "企画課"]]


def test_a_roster_without_concurrent_posts_stores_none(session: Session) -> None:
    summary = import_roster(session, roster_rows(12))
    session.commit()
    assert (summary.generated_ids, summary.concurrent) == (0, 0)
    assert set(map(tuple, concurrent(session).values())) == {()}
    assert roster_overview(session).concurrent == 0


def test_concurrent_posts_need_a_unit_hierarchy(session: Session) -> None:
    rows = [{"employee_id": "E1", "email": "a@x.jp", "勤続": "3年", "兼務": "税務課"}]
    with pytest.raises(RosterError) as caught:
        import_roster(session, rows)
    assert (caught.value.code, caught.value.row, caught.value.column) == (
        "posts_without_hierarchy", None, "兼務")
    assert people(session) == {}


def test_concurrent_posts_follow_the_stored_hierarchy(session: Session) -> None:
    rows = [{"employee_id": f"E{i}", "email": f"p{i}@x.jp", "部": "総務部",
             "課": ("総務課", "企画課")[i % 2], "兼務": ""} for i in range(4)]
    import_roster(session, rows, ["部", "課"])
    rows[0]["兼務"] = "企画課"
    import_roster(session, rows)  # no hierarchy given: the stored 部,課 places the post
    assert concurrent(session)["E0"] == [["総務部", "企画課"]]


def test_messages_about_posts_and_ids_in_both_languages(app: Flask) -> None:
    unknown = RosterError("unknown_unit", row=9, column="兼務先", value="広報室")
    with app.test_request_context("/?lang=en"):
        assert roster_message(unknown).startswith(
            "row 9, column 兼務先: '広報室' is not a unit of this roster")
        assert roster_message(RosterError("no_identity", row=4)).startswith(
            "row 4: the row has neither an employee number nor an e-mail address")
        assert generated_ids_message(2).startswith("2 people have no employee number")
        assert concurrent_message(6) == "6 people hold a concurrent post (兼務)."
    with app.test_request_context("/?lang=ja"):
        assert roster_message(unknown).startswith(
            "9 行目、列「兼務先」: 「広報室」はこの名簿の組織単位にありません")
        assert generated_ids_message(2).startswith("職員番号のない人が 2 人います")
        assert concurrent_message(6) == "兼務のある人は 6 人です。"


def test_a_post_row_must_fit_the_unit_tree_like_a_main_row(session: Session) -> None:
    table = town.rows_table()
    post = next(index for index, row in enumerate(table) if row[0] == "K01" and row[-1] == "兼務")
    table[post][2] = "町民部"  # the office, but under the wrong 部
    with pytest.raises(RosterError) as caught:
        import_roster(session, parse_roster("t.csv", town.csv_bytes(table)), town.HIERARCHY)
    assert (caught.value.code, caught.value.row, caught.value.column) == (
        "hierarchy_parent", post + 1, "課")
    assert people(session) == {}
