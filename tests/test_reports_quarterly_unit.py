"""A unit head's quarter page: their unit (or the unit it is reported within) next to the
organisation, no other unit's figure, every figure a group of the wave's one gate plan
(docs/anonymity.md rule 10)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reports.figures import plan_for
from reports.quarterly.services import unit_quarter_report
from reports.quarterly.unit import unit_decision
from survey.db import db
from survey.models import Wave
from survey.units.reporting import Placement, reported_unit
from survey.units.services import assign_units
from survey.waves.design import CellDesign
from tests.conftest import PASSWORD, TOKEN_KEY

QUARTER = "FY2026Q3"


@pytest.fixture(scope="module")
def spec():
    from survey.demo import DemoSpec

    return DemoSpec(staff=160, waves=3, seed=3)


@pytest.fixture()
def town(app: Flask, spec) -> dict[str, tuple[str, ...]]:
    """The demo town (three closed waves) and units of each kind in its last wave: one reported
    as itself, one folded into its 課; returns them by kind."""
    from survey.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, spec, TOKEN_KEY)
        wave = db.session.scalars(select(Wave).order_by(Wave.closes_on.desc())).first()
        design = CellDesign.from_dict(wave.cell_design)
        sizes = design.sizes
        units = [(d,) for d in sizes[design.hierarchy[0]]] + [
            (d, t) for d in sizes[design.hierarchy[0]] for t in sizes.get(design.hierarchy[1], {})
            if (d, t) in _teams()]
        kinds: dict[str, tuple[str, ...]] = {}
        for unit in units:
            placed = reported_unit(design, unit)
            if placed.placement is Placement.OWN and len(unit) == 1:
                kinds.setdefault("own", unit)
            if placed.placement is Placement.WITHIN and placed.reported_as:
                kinds.setdefault("within", unit)
        return kinds


def _teams() -> set[tuple[str, str]]:
    from survey.demo import UNITS

    return {(d, t) for d, teams in UNITS.items() for t in teams}


def _unit_head(app: Flask, name: str, units: list[tuple[str, ...]]) -> FlaskClient:
    from survey.auth.services import create_user

    with app.app_context():
        user = create_user(db.session, f"{name}@town.example.jp", "unit-head", PASSWORD)
        db.session.flush()
        assign_units(db.session, user, units)
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": f"{name}@town.example.jp",
                                           "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/")
    return client


def test_a_unit_head_reads_their_unit_next_to_the_organisation(
        app: Flask, town: dict[str, tuple[str, ...]]) -> None:
    unit = town["own"]
    client = _unit_head(app, "head", [unit])
    page = client.get(f"/reports/{QUARTER}?lang=en&by=department").get_data(as_text=True)
    assert f"Your unit: {unit[0]}" in page and "The whole organisation" in page
    assert "Break down by" not in page and 'id="comments"' not in page
    others = {d for d in _departments() if d != unit[0]}
    assert not [name for name in others if name in page]  # no sibling unit, not even its name
    assert client.get("/reports/?lang=en").status_code == 200


def test_a_folded_unit_is_labelled_with_the_unit_it_is_reported_within(
        app: Flask, town: dict[str, tuple[str, ...]]) -> None:
    unit = town["within"]
    page = _unit_head(app, "small", [unit]).get(f"/reports/{QUARTER}?lang=en").get_data(
        as_text=True)
    assert f"Your {unit[-1]} is reported within {unit[0]}" in page


def test_the_pdf_the_api_and_the_rounds_stay_leadership_s(
        app: Flask, town: dict[str, tuple[str, ...]]) -> None:
    client = _unit_head(app, "head", [town["own"]])
    for path in (f"/reports/{QUARTER}.pdf", f"/api/v1/reports/{QUARTER}", "/reports/waves/1"):
        assert client.get(path).status_code == 403, path


def test_every_unit_figure_is_a_group_of_the_wave_s_gate_plan(
        app: Flask, town: dict[str, tuple[str, ...]]) -> None:
    """The unit views add no group: each figure's decision is one the leadership plan made,
    with the same cells and n, and nothing hidden there carries a number here."""
    with app.app_context():
        report, views = unit_quarter_report(db.session, QUARTER, list(town.values()))
        plans = {w.id: plan_for(w) for w, _d in report.participation if w.closed}
        assert views and all(view.sections for view in views)
        for view in views:
            for section in view.sections.values():
                published = unit_decision(plans[report.wave.id], report.wave.design,
                                          view.shown_as, section.key.name)
                assert section.current.decision == published
                if not published.shown:
                    assert section.current.score is None and section.current.n is None
                for point in section.trend.points:
                    assert point.figure.decision.shown
                if section.change is not None and section.change.shown:
                    assert report.previous is not None
                    before = unit_decision(plans[report.previous.id], report.previous.design,
                                           view.shown_as, section.key.name)
                    assert min(before.n, published.n) >= 2 * report.wave.k


def _departments() -> list[str]:
    from survey.demo import DEPARTMENTS, DX_OFFICE

    return [*DEPARTMENTS, DX_OFFICE]
