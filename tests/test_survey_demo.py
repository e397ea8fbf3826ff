"""``seed-demo``: eight closed quarterly waves, ~70% participation, trends as intended."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import reduce
from operator import add

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from reports.aggregates import histogram
from reports.storage.summarise import stored_aggregates
from survey.db import db
from survey.demo import DemoSpec, demo_roster, quarterly_dates
from survey.models import User, Wave
from survey.plans.models import ActionPlan
from survey.waves.services import today
from tests.conftest import base_config


@pytest.fixture(scope="module")
def demo_app(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, str]]:
    """One default demo for the whole module (it takes a few seconds)."""
    if not database_template.startswith("sqlite"):
        pytest.skip("the module-wide demo copies the SQLite template")
    target = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(database_template.removeprefix("sqlite:///"), target)
    app = create_app(base_config("sqlite:///" + str(target)))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    yield app, result.output
    with app.app_context():
        db.engine.dispose()


def composite_means(app: Flask) -> dict[str, list[float]]:
    """Per principle, the mean composite score of each wave in date order (all cells pooled)."""
    means: dict[str, list[float]] = {}
    with app.app_context():
        for wave in db.session.scalars(select(Wave).order_by(Wave.opens_on)):
            pooled = reduce(add, stored_aggregates(db.session, wave).values())
            for principle in pooled.principles:
                values, counts = histogram(pooled, principle)
                means.setdefault(principle, []).append(float(values @ counts / counts.sum()))
    return means


def test_default_demo_has_eight_closed_quarterly_waves(demo_app: tuple[Flask, str]) -> None:
    app, output = demo_app
    assert output.startswith("demo ready: 8 waves, 150 staff")
    with app.app_context():
        waves = db.session.scalars(select(Wave).order_by(Wave.opens_on)).all()
        assert len(waves) == 8 and all(wave.closed for wave in waves)
        assert [(w.opens_on, w.closes_on) for w in waves] == quarterly_dates(8, today())
        assert all(w.closes_on < today() for w in waves)
        months = [w.opens_on.month for w in waves]
        assert all(month in (2, 5, 8, 11) for month in months)  # middle of April-based quarters


def test_participation_is_about_seventy_percent(demo_app: tuple[Flask, str]) -> None:
    app, _ = demo_app
    with app.app_context():
        waves = db.session.scalars(select(Wave)).all()
        rates = [w.responded_count / w.invited_count for w in waves]
        assert all(w.invited_count == 152 for w in waves)  # 150 staff, 2 from outside
    assert all(0.6 <= rate <= 0.8 for rate in rates), rates
    assert abs(float(np.mean(rates)) - 0.7) < 0.04


def test_principles_trend_in_the_intended_directions(demo_app: tuple[Flask, str]) -> None:
    means = composite_means(demo_app[0])
    assert set(means) == {"citizen", "no-excuses", "no-blame", "evidence"}
    change = {p: np.mean(m[-2:]) - np.mean(m[:2]) for p, m in means.items()}
    assert change["no-blame"] > 0.25       # improves, with a step after the logged action
    assert change["no-excuses"] < -0.15    # slips
    assert change["citizen"] > 0.1         # slowly improves
    assert abs(change["evidence"]) < 0.2   # drifts around
    blame = means["no-blame"]
    assert np.mean(blame[4:]) - np.mean(blame[:4]) > 0.2


def test_the_action_and_demo_accounts_are_there(demo_app: tuple[Flask, str]) -> None:
    app, output = demo_app
    with app.app_context():
        plans = {plan.unit: plan for plan in db.session.scalars(select(ActionPlan))}
        assert set(plans) == {"[]", '["総務課"]'}  # the town's own plan and one unit's
        assert [p.code for p in plans["[]"].principles] == ["no-blame"]
        assert [entry.status for entry in plans["[]"].updates] == ["planned", "done"]
        roles = {u.role for u in db.session.scalars(select(User))}
    assert roles == {"admin", "leadership", "hr"}
    assert "admin@naranu.example" in output and "password:" in output


def test_the_roster_turns_over_between_waves() -> None:
    spec = DemoSpec()
    first = {row["employee_id"] or row["email"] for row in demo_roster(spec, 0)}
    second = {row["employee_id"] or row["email"] for row in demo_roster(spec, 1)}
    assert len(first) == len(second) == 152  # 150 staff, 2 from outside
    assert 0 < len(first - second) <= 10
    assert demo_roster(spec, 3) == demo_roster(spec, 3)  # deterministic for a seed
