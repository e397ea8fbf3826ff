"""Units of the roster, unit names typed by people, and unit-head accounts (CLI included)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskCliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.auth.services import create_user
from survey.models import User
from survey.units.models import UnitAssignment
from survey.units.paths import (
    matching_units,
    path_text,
    split_names,
    unit_key,
    unit_of_key,
    within,
)
from survey.units.services import (
    UnitError,
    assign_units,
    resolve_unit,
    roster_units,
    units_of,
)
from tests.conftest import PASSWORD
from tests.test_survey_cli import one_line_error

#: The roster allows one parent per unit name and level, but the same name at two levels: 企画
#: is a 課 of 総務部 and a 係 of 税務課, so the bare name is ambiguous.
ROWS = [
    {"employee_id": f"E{i:03d}", "email": f"e{i:03d}@town.example.jp", "部": part, "課": section,
     "係": team}
    for i, (part, section, team) in enumerate(
        [("総務部", "総務課", "庶務係")] * 6 + [("総務部", "総務課", "人事係")] * 5
        + [("町民部", "税務課", "企画")] * 5 + [("町民部", "税務課", "")] * 2
        + [("総務部", "企画", "")] * 7)
]


@pytest.fixture()
def town(make_roster: Callable[..., int], app) -> None:
    from survey.db import db
    from survey.roster.services import import_roster

    with app.app_context():
        import_roster(db.session, ROWS, hierarchy=["部", "課", "係"])
        db.session.commit()


names = st.text(st.characters(blacklist_characters="/>\n、,;", blacklist_categories=["Cs"]),
                min_size=1, max_size=6).map(str.strip).filter(bool)


@given(st.lists(names, max_size=4))
def test_a_unit_key_round_trips_any_path(path: list[str]) -> None:
    assert unit_of_key(unit_key(path)) == tuple(path)


def test_within_means_the_unit_itself_or_below_it() -> None:
    assert within(("総務部", "総務課", "庶務係"), [("総務部", "総務課")])
    assert within(("総務部", "総務課"), [("総務部", "総務課")])
    assert not within(("総務部",), [("総務部", "総務課")])
    assert not within(("総務部", "総務課2"), [("総務部", "総務課")])
    assert not within((), [("総務部",)])


def test_typed_names_are_split_and_normalised_like_the_roster() -> None:
    typed = "総務課\n税務課、総務課／庶務係;\n "
    assert split_names(typed) == ["総務課", "税務課", "総務課/庶務係"]
    units = {("総務部", "総務課"), ("ｿｳﾑ部",), ("総務部", "総務課", "庶務係")}
    assert matching_units("総務部 > 総務課", units) == [("総務部", "総務課")]
    assert matching_units("  ", units) == []
    assert path_text(("総務部", "総務課")) == "総務部/総務課"


def test_the_roster_s_units_include_parents(session: Session, town: None) -> None:
    units = roster_units(session)
    assert ("総務部",) in units and ("総務部", "企画") in units
    assert ("町民部", "税務課", "企画") in units and ("町民部", "税務課", "") not in units


@pytest.mark.parametrize(("name", "expected"), [
    ("総務課", ("総務部", "総務課")),
    ("総務課/庶務係", ("総務部", "総務課", "庶務係")),
    ("税務課 > 企画", ("町民部", "税務課", "企画")),
    ("総務部/企画", ("総務部", "企画")),
    ("ｿｳﾑ課".replace("ｿｳﾑ", "総務"), ("総務部", "総務課")),
    ("人事係", ("総務部", "総務課", "人事係")),
])
def test_a_unit_is_found_by_its_name_or_with_its_parents(
    session: Session, town: None, name: str, expected: tuple[str, ...],
) -> None:
    assert resolve_unit(session, name) == expected


def test_an_ambiguous_or_unknown_name_is_refused(session: Session, town: None) -> None:
    with pytest.raises(UnitError) as ambiguous:
        resolve_unit(session, "企画")
    assert ambiguous.value.code == "ambiguous_unit"
    assert ambiguous.value.paths == (("町民部", "税務課", "企画"), ("総務部", "企画"))
    with pytest.raises(UnitError) as unknown:
        resolve_unit(session, "広報係")
    assert unknown.value.code == "unknown_unit"


def test_units_of_are_the_assigned_units_and_only_for_unit_heads(session: Session) -> None:
    head = create_user(session, "head@town.example.jp", "unit-head", PASSWORD)
    boss = create_user(session, "boss@town.example.jp", "leadership", PASSWORD)
    session.flush()
    assign_units(session, head, [("総務部", "総務課"), ("総務部", "総務課"), ()])
    assign_units(session, boss, [("総務部",)])  # stored, but leadership reads everything
    assert units_of(session, head) == [("総務部", "総務課")]
    assert units_of(session, boss) == []
    assign_units(session, head, [("町民部", "税務課")])
    assert units_of(session, head) == [("町民部", "税務課")]


def _users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def test_create_user_makes_a_unit_head_with_units(
    runner: FlaskCliRunner, session: Session, town: None,
) -> None:
    result = runner.invoke(args=["create-user", "Kacho@Town.example.jp", "--role", "unit-head",
                                 "--unit", "総務課", "--unit", "税務課/企画"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("created unit-head kacho@town.example.jp"
                                     "; heads 総務部 > 総務課; heads 町民部 > 税務課 > 企画")
    user = session.scalar(select(User))
    assert units_of(session, user) == [("町民部", "税務課", "企画"), ("総務部", "総務課")]


def test_create_user_with_password_option_still_warns(
    runner: FlaskCliRunner, session: Session, town: None,
) -> None:
    result = runner.invoke(args=["create-user", "k@town.example.jp", "--role", "unit-head",
                                 "--unit", "人事係", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "warning: --password" in result.stderr


@pytest.mark.parametrize(("arguments", "reason"), [
    (["--role", "unit-head", "--unit", "広報課"],
     "'広報課' is not a unit of the active roster."),
    (["--role", "unit-head", "--unit", "企画"], "'企画' names several units "
                                                "(町民部/税務課/企画、総務部/企画)"),
    (["--role", "unit-head"], "A unit head needs at least one unit."),
    (["--role", "leadership", "--unit", "総務課"], "Only a unit head is assigned units."),
    (["--role", "root", "--unit", "総務課"], "admin, leadership, hr or unit-head"),
])
def test_create_user_refuses_bad_units_in_one_line_and_writes_nothing(
    runner: FlaskCliRunner, session: Session, town: None, arguments: list[str], reason: str,
) -> None:
    line = one_line_error(runner.invoke(args=["create-user", "x@town.example.jp", *arguments],
                                        input=PASSWORD + "\n"))
    assert reason in line
    assert _users(session) == 0
    assert session.scalar(select(func.count()).select_from(UnitAssignment)) == 0


def test_reported_units_place_a_unit_head_s_units_in_a_wave(
    app, session: Session, town: None, open_wave,
) -> None:
    from survey.models import Wave
    from survey.units.reporting import Placement
    from survey.units.services import reported_units

    wave_id, _links = open_wave("2026-04", roster=False)
    head = create_user(session, "head@town.example.jp", "unit-head", PASSWORD)
    session.flush()
    assign_units(session, head, [("総務部", "総務課", "人事係"), ("町民部", "税務課", "企画")])
    found = {r.path: r for r in reported_units(session, head, session.get(Wave, wave_id))}
    assert found[("総務部", "総務課", "人事係")].placement is Placement.OWN  # 5 people
    # 税務課's own 2 people would be a cell of 2 < k: 企画 (5) is folded in to protect them.
    planning = found[("町民部", "税務課", "企画")]
    assert (planning.placement, planning.reported_as, planning.protects) == (
        Placement.WITHIN, ("町民部", "税務課"), True)
    boss = create_user(session, "b@town.example.jp", "leadership", PASSWORD)
    assert reported_units(session, boss, session.get(Wave, wave_id)) == []
