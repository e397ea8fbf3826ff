"""Findings: sentences generated from the statistics of fixed seeded data, in both languages."""

from __future__ import annotations

import pytest
from flask import Flask

from reports import stats
from reports.quarterly.findings import Finding, select_findings
from reports.quarterly.wording import finding_text
from survey.db import db
from tests.conftest import TOKEN_KEY

QUARTER = "FY2026Q3"


@pytest.fixture()
def report(app: Flask):
    """The quarterly report of three seeded demo waves (60 staff, seed 1)."""
    from reports.quarterly.services import quarter_report
    from survey.demo import DemoSpec, seed_demo

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=60, waves=3, seed=1), TOKEN_KEY)
        return quarter_report(db.session, QUARTER)


def _texts(app: Flask, report, lang: str) -> list[str]:
    from reports.quarterly.page import principle_titles

    with app.test_request_context(f"/?lang={lang}"):
        titles = principle_titles(report)
        return [finding_text(f, titles.get) for f in select_findings(report)]


def test_findings_follow_the_labels(app: Flask, report) -> None:
    found = select_findings(report)
    assert 3 <= len(found) <= 6
    labels = {code: s.change.verdict.verdict for code, s in report.sections.items()
              if s.change and s.change.verdict}
    called_change = {f.codes[0] for f in found if f.kind == "change"}
    assert called_change == {c for c, label in labels.items() if label == stats.CHANGE}
    undetectable = next((f for f in found if f.kind == "not_detectable"), None)
    expected = {c for c, label in labels.items() if label == stats.NO_CHANGE_DETECTABLE}
    assert (set(undetectable.codes) if undetectable else set()) == expected
    assert all(f.anchor for f in found)


def test_findings_text_in_japanese_and_english(app: Flask, report) -> None:
    ja, en = _texts(app, report, "ja"), _texts(app, report, "en")
    assert len(ja) == len(en)
    participation = next(f for f in select_findings(report) if f.kind == "participation")
    v = participation.values
    rate = f"{100 * v['rate']:.0f}"
    assert f"{v['invited']} 人中 {v['responded']} 人が回答しました（{rate}%）" in "".join(ja)
    assert f"{v['responded']} of {v['invited']} staff answered" in "".join(en)
    assert all("%(" not in t for t in ja + en)
    assert any("「" in t for t in ja) and not any("「" in t for t in en)


def test_change_sentence_pins_the_numbers(app: Flask) -> None:
    finding = Finding("change", "trend-no-blame", ("no-blame",), {
        "before": 58.2, "after": 71.4, "diff": 13.2, "q": 0.01, "fav_before": 40.0,
        "fav_after": 55.0})
    with app.test_request_context("/?lang=ja"):
        ja = finding_text(finding, lambda code: "失敗を責めてはなりませぬ")
    with app.test_request_context("/?lang=en"):
        en = finding_text(finding, lambda code: "Do not blame failure")
    assert ja == ("「失敗を責めてはなりませぬ」のスコアは 58 → 71（+13pt、有意な変化）。"
                  "好意的な人（平均4以上）は 40% → 55%。")
    assert en == ('"Do not blame failure": score 58 → 71 (+13 pt, significant change); '
                  "favourable people (average ≥ 4) 40% → 55%.")


def test_undetectable_sentence_states_the_minimum_detectable_difference(app: Flask) -> None:
    finding = Finding("not_detectable", "heatmap", ("a", "b"), {"mdd_low": 7.2, "mdd_high": 8.6})
    with app.test_request_context("/?lang=ja"):
        ja = finding_text(finding, {"a": "甲", "b": "乙"}.get)
    assert ja == ("「甲」、「乙」は変化を検出できませんでした。"
                  "この回答数で検出できるのは約 7–9pt 以上の差です。")
    finding = Finding("no_meaningful_change", "t", ("a",), {"diff": -2.4, "threshold": 5.0})
    with app.test_request_context("/?lang=en"):
        en = finding_text(finding, {"a": "A"}.get)
    assert en == ('"A": -2 pt since the previous quarter — no meaningful change '
                  "(below the practical size of 5 pt).")


def test_findings_from_in_memory_waves_lead_with_the_change() -> None:
    """Without a database: the judged rise of trust is said first, with its own numbers."""
    import datetime as dt

    from reports.quarterly.build import build_quarter_report
    from reports.quarters import quarter_of
    from tests.wavedata import PRINCIPLES, answers, make_wave

    before = make_wave(1, dt.date(2026, 6, 20), {u: answers(40, s, trust=2)
                                                 for s, u in enumerate("abc")})
    after = make_wave(2, dt.date(2026, 9, 20), {u: answers(40, 10 + s, trust=4)
                                                for s, u in enumerate("abc")})
    report = build_quarter_report([before, after], quarter_of(after.closes_on, 4), PRINCIPLES)
    found = select_findings(report)
    change = report.sections["trust"].change
    assert change is not None and change.verdict is not None
    assert (found[0].kind, found[0].codes) == ("change", ("trust",))
    assert found[0].values["diff"] == change.verdict.estimate
    assert "participation" in [f.kind for f in found] and len(found) <= 6
    empty = build_quarter_report([before], quarter_of(after.closes_on, 4), PRINCIPLES)
    assert select_findings(empty) == []
