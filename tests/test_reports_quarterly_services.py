"""reports.quarterly.services with the per-process cache of closed waves: never a stale figure."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from reports.figures import plan_for
from reports.quarterly.services import quarter_report, quarters_with_waves
from reports.storage import load as loading
from survey.db import db
from survey.models import Wave
from tests.conftest import TOKEN_KEY


def _seed(app: Flask) -> str:
    from survey.demo import DemoSpec, seed_demo

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=60, waves=3, seed=1), TOKEN_KEY)
        return quarters_with_waves(db.session)[0].label


def _figures(report) -> dict:
    out: dict[str, Any] = {code: (s.current.score.estimate if s.current.shown else None,
                  s.change.comparison.p_value if s.change and s.change.shown else None)
           for code, s in report.sections.items()}
    out["trend"] = {code: s.trend.wls.slope for code, s in report.sections.items()}
    return out


def test_a_wave_that_closes_appears_in_the_next_report(app: Flask) -> None:
    label = _seed(app)
    with app.app_context():
        last = db.session.scalars(select(Wave).order_by(Wave.closes_on.desc())).first()
        last.closed = False  # as if the latest wave were still open
        db.session.commit()
        before = quarter_report(db.session, label)
        assert before.wave is None or before.wave.id != last.id
        last.closed = True  # it closes (its aggregates were stored at close)
        db.session.commit()
        after = quarter_report(db.session, label)
        assert after.wave is not None and after.wave.id == last.id
        assert len([p for p in after.sections.values() if p.trend.points]) > 0


def test_cached_report_equals_a_freshly_loaded_one(app: Flask) -> None:
    label = _seed(app)
    with app.app_context():
        loading.clear_cache()
        fresh = quarter_report(db.session, label)
        again = quarter_report(db.session, label)
        assert again.wave is fresh.wave  # closed wave served from the cache
        loading.clear_cache()
        reloaded = quarter_report(db.session, label)
        assert reloaded.wave is not fresh.wave
        assert _figures(again) == _figures(fresh) == _figures(reloaded)


def test_a_wave_s_plan_is_solved_once(app: Flask) -> None:
    _seed(app)
    with app.app_context():
        wave = [w for w in loading.load_waves(db.session, 4) if w.closed][-1]
        assert plan_for(wave) is plan_for(wave)
