"""The roster import service on a real database: re-import, warnings, hierarchy, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from conftest import roster_rows
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import Person
from survey.roster.parsing import RosterError
from survey.roster.services import (
    RosterWarning,
    import_roster,
    message,
    roster_overview,
    size_warnings,
    warning_message,
)
from survey.settings import group_hierarchy, put_setting


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
    assert message(error) == "row 14, column email: not a valid e-mail address"
    assert message(RosterError("empty")).startswith("the file contains no people")
    assert message(RosterError("missing_column", row=1, column="email")) == (
        "row 1, column email: the header row has no such column; it is required")
    assert warning_message(RosterWarning("small_group", "department", "X", 3)) == (
        "department 'X' has 3 people: its answers will be reported only as part of a larger "
        "group")
    assert "can never be shown" in warning_message(RosterWarning("never_shown", "役職"))


def test_messages_in_japanese(app: Flask) -> None:
    with app.test_request_context("/?lang=ja"):
        error = RosterError("formula", row=3, column="課", char="=")
        assert message(error).startswith("3 行目、列「課」: 値が = で始まっているため")
        assert "最小集計人数" in warning_message(RosterWarning("never_shown", "役職"))


def test_every_error_code_has_its_own_explanation(english: None) -> None:
    codes = ["unsupported_type", "too_large", "too_many_rows", "binary", "encoding", "not_xlsx",
             "malformed", "empty", "empty_column_name", "duplicate_column", "missing_column",
             "field_count", "required", "too_long", "invalid_email", "duplicate_value",
             "formula", "control", "hierarchy_column", "hierarchy_repeated", "hierarchy_parent"]
    texts = {message(RosterError(code)) for code in codes}
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
