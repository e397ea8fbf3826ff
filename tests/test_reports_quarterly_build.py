"""reports.quarterly.build without a database: the report assembled from in-memory waves."""

from __future__ import annotations

import datetime as dt

import pytest

from reports import stats
from reports.aggregates import Measure, WaveData
from reports.quarterly.build import QuarterReport, build_quarter_report
from reports.quarters import quarter_of
from tests.wavedata import PRINCIPLES, UNIT, answers, make_wave

BEFORE, AFTER = dt.date(2026, 6, 20), dt.date(2026, 9, 20)  # FY2026Q1, FY2026Q2


def _waves(small_unit: bool = False) -> list[WaveData]:
    """Trust rises from about 2 to about 4 in every unit; voice stays about 3."""
    before = make_wave(1, BEFORE, {u: answers(40, seed, trust=2) for seed, u in enumerate("abc")})
    now = {u: answers(40, 10 + seed, trust=4) for seed, u in enumerate("abc")}
    if small_unit:
        now["d"] = answers(3, 99, trust=4)
    return [before, make_wave(2, AFTER, now)]


def _report(waves: list[WaveData]) -> QuarterReport:
    return build_quarter_report(waves, quarter_of(AFTER, 4), PRINCIPLES)


def test_the_quarter_reads_its_last_closed_wave_against_the_previous_quarter() -> None:
    report = _report(_waves())
    assert (report.wave and report.wave.id, report.previous and report.previous.id) == (2, 1)
    assert list(report.sections) == ["trust", "voice"]
    assert report.enps is not None and report.enps.key == Measure(item_id=5)
    assert report.breakdown == UNIT
    assert [row.decision.label for row in report.groups] == [((UNIT, u),) for u in "abc"]


def test_a_large_rise_is_judged_a_change_and_its_size_is_the_score_difference() -> None:
    report = _report(_waves())
    change = report.sections["trust"].change
    assert change is not None and change.shown and change.verdict is not None
    assert change.verdict.verdict == stats.CHANGE
    before = report.sections["trust"].trend.points[0].figure.score
    after = report.sections["trust"].current.score
    assert before is not None and after is not None
    assert change.verdict.estimate == pytest.approx(after.estimate - before.estimate)
    assert 40 < change.verdict.estimate < 60  # a mean of 2 → 4 is 25 → 75 on 0-100


def test_a_unit_below_k_has_no_figure_and_no_change() -> None:
    report = _report(_waves(small_unit=True))
    small = [row for row in report.groups if row.decision.label == ((UNIT, "d"),)]
    assert small and not small[0].decision.shown
    assert all(figure.score is None for figure in small[0].figures.values())
    assert all(change is None or not change.shown for change in small[0].changes.values())


def test_a_quarter_without_a_closed_wave_has_no_sections() -> None:
    before = _waves()[0]
    report = build_quarter_report([before], quarter_of(AFTER, 4), PRINCIPLES)
    assert report.wave is None and report.previous is before
    assert report.sections == {} and report.groups == ()
