"""Plan services without HTTP: markers for the trend charts, plans of units, the service-side
checks a view cannot skip."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from survey.auth.services import create_user
from survey.plans.models import PlanStatus
from survey.plans.services import (
    PlanError,
    PlanInput,
    add_update,
    create_plan,
    edit_plan,
    may_keep,
    may_read,
    plan_markers,
    plans_of,
)
from survey.units.services import assign_units
from tests.conftest import PASSWORD

SOUMU = ("総務課",)
ZEIMU = ("税務課",)


@pytest.fixture()
def people(session: Session, make_roster) -> dict[str, object]:
    from survey.org_settings import put_setting

    make_roster()
    put_setting(session, "group_hierarchy", ["department"])
    boss = create_user(session, "boss@town.example.jp", "leadership", PASSWORD)
    head = create_user(session, "kacho@town.example.jp", "unit-head", PASSWORD)
    session.flush()
    assign_units(session, head, [SOUMU])
    return {"boss": boss, "head": head}


def _input(unit: tuple[str, ...], on: dt.date, title: str = "plan",
           codes: tuple[str, ...] = ("no-blame",)) -> PlanInput:
    return PlanInput(unit, codes, title, "課長", on)


def test_markers_are_dated_per_unit_and_leave_out_dropped_plans(session: Session, people) -> None:
    boss = people["boss"]
    org = create_plan(session, boss, _input((), dt.date(2026, 5, 1), "全体", ("evidence",)))
    unit = create_plan(session, boss, _input(SOUMU, dt.date(2026, 4, 1), "総務"))
    dropped = create_plan(session, boss, _input(ZEIMU, dt.date(2026, 6, 1), "税務"))
    add_update(session, boss, dropped, dt.date(2026, 6, 2), PlanStatus.DROPPED, "")
    everything = plan_markers(session)
    assert [(m.on, m.title, m.principles, m.unit, m.status) for m in everything] == [
        (dt.date(2026, 4, 1), "総務", ("no-blame",), SOUMU, PlanStatus.PLANNED),
        (dt.date(2026, 5, 1), "全体", ("evidence",), (), PlanStatus.PLANNED)]
    assert [m.plan_id for m in plan_markers(session, [()])] == [org.id]
    assert [m.plan_id for m in plan_markers(session, [SOUMU, ()])] == [unit.id, org.id]
    assert [m.plan_id for m in plan_markers(session, [ZEIMU], include_dropped=True)] == [
        dropped.id]
    assert [p.id for p in plans_of(session, [ZEIMU, SOUMU])] == [dropped.id, unit.id]


def test_services_refuse_what_a_unit_head_does_not_keep(session: Session, people) -> None:
    head, boss = people["head"], people["boss"]
    other = create_plan(session, boss, _input(ZEIMU, dt.date(2026, 4, 1)))
    for attempt in (
        lambda: create_plan(session, head, _input(ZEIMU, dt.date(2026, 4, 1))),
        lambda: create_plan(session, head, _input((), dt.date(2026, 4, 1))),
        lambda: edit_plan(session, head, other, _input(ZEIMU, dt.date(2026, 4, 1), "mine")),
        lambda: add_update(session, head, other, dt.date(2026, 4, 2), PlanStatus.DONE, ""),
    ):
        with pytest.raises(PlanError, match="not_yours"):
            attempt()
    own = create_plan(session, head, _input(SOUMU, dt.date(2026, 4, 1)))
    with pytest.raises(PlanError, match="not_yours"):  # nor move its own plan away
        edit_plan(session, head, own, _input(ZEIMU, dt.date(2026, 4, 1)))
    with pytest.raises(PlanError, match="unknown_unit"):
        create_plan(session, boss, _input(("広報課",), dt.date(2026, 4, 1)))
    with pytest.raises(PlanError, match="unknown_principle"):
        create_plan(session, boss, _input(SOUMU, dt.date(2026, 4, 1), codes=("nope",)))


def test_editing_logs_only_what_changed(session: Session, people) -> None:
    from sqlalchemy import select

    from survey.models import AuditEvent

    boss = people["boss"]
    plan = create_plan(session, boss, _input(SOUMU, dt.date(2026, 4, 1)))
    assert edit_plan(session, boss, plan, _input(SOUMU, dt.date(2026, 4, 1))) == []
    changed = edit_plan(session, boss, plan, _input(SOUMU, dt.date(2026, 4, 8), "new",
                                                    ("no-blame", "evidence")))
    assert changed == ["title", "starts_on", "principles"]
    events = session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("plan_%"))).all()
    assert events == ["plan_created", "plan_changed"]


units = st.lists(st.sampled_from(["A", "B"]), min_size=0, max_size=3).map(tuple)
roles = st.sampled_from(["unit-head", "leadership", "admin", "hr"])


@given(role=roles, own=st.lists(units.filter(bool), max_size=3), unit=units)
def test_property_a_unit_head_keeps_exactly_their_units_and_below(role, own, unit) -> None:
    below = any(unit[: len(mine)] == mine for mine in own)
    if role in ("leadership", "admin"):
        assert may_keep(role, own, unit) and may_read(role, own, unit)
    else:
        assert may_keep(role, own, unit) == (bool(unit) and below)
        assert may_read(role, own, unit) == (unit == () or below)
