"""Findings: the 3–6 sentences at the top of the report, chosen from its statistics.

:func:`select_findings` is pure: it picks what is worth saying from a gated
:class:`~reports.quarterly.build.QuarterReport` and keeps the raw numbers with a pointer
(anchor) to the figure each sentence comes from.
:func:`reports.quarterly.wording.finding_text` words one finding in the request's language
(Flask-Babel) and rounds only there.  Only comparisons labelled "change" (BH q < 0.05
and at least the practical size) are called changes; "no meaningful change" and "no change
detectable" (with the minimum detectable difference) are said as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports import stats
from reports.quarterly.build import Change, QuarterReport

MAX_FINDINGS = 6


@dataclass(frozen=True)
class Finding:
    """One sentence's kind, the principle codes it is about, raw numbers and its figure."""

    kind: str
    anchor: str
    codes: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)


def select_findings(report: QuarterReport) -> list[Finding]:
    """What the report should say first, most important first (at most six)."""
    if report.wave is None:
        return []
    found = [*_principle_changes(report), *_summaries(report), *_group_changes(report),
             *_participation(report), *_extremes(report), *_driver(report)]
    return found[:MAX_FINDINGS]


def _verdict(change: Change | None) -> str | None:
    if change is None or not change.shown:
        return None
    return change.verdict.verdict if change.verdict is not None else "too_few"


def _previous_point(report: QuarterReport, code: str):
    previous = report.previous.label if report.previous else None
    return next((p for p in report.sections[code].trend.points if p.wave == previous), None)


def _principle_changes(report: QuarterReport) -> list[Finding]:
    out = []
    for code, section in report.sections.items():
        label = _verdict(section.change)
        point = _previous_point(report, code)
        if label == stats.CHANGE and point is not None and section.current.shown:
            out.append(Finding("change", f"trend-{code}", (code,), {
                "before": point.figure.score.estimate, "after": section.current.score.estimate,
                "diff": section.change.verdict.estimate, "q": section.change.verdict.q_value,
                "fav_before": point.figure.favourable.estimate,
                "fav_after": section.current.favourable.estimate}))
        elif label == stats.NO_MEANINGFUL_CHANGE:
            out.append(Finding("no_meaningful_change", f"trend-{code}", (code,), {
                "diff": section.change.verdict.estimate,
                "threshold": section.change.verdict.threshold}))
    return out


def _summaries(report: QuarterReport) -> list[Finding]:
    undetectable = [(code, s.change) for code, s in report.sections.items()
                    if _verdict(s.change) == stats.NO_CHANGE_DETECTABLE]
    too_few = tuple(code for code, s in report.sections.items() if _verdict(s.change) == "too_few")
    out = []
    if undetectable:
        mdds = [c.verdict.mdd for _code, c in undetectable if c.verdict.mdd is not None]
        out.append(Finding("not_detectable", "heatmap", tuple(code for code, _c in undetectable),
                           {"mdd_low": min(mdds, default=None),
                            "mdd_high": max(mdds, default=None)}))
    if too_few:
        out.append(Finding("too_few", "heatmap", too_few))
    return out


def _group_changes(report: QuarterReport, limit: int = 2) -> list[Finding]:
    found = []
    for row in report.groups:
        for code, change in row.changes.items():
            if _verdict(change) == stats.CHANGE:
                found.append(Finding("group_change", "heatmap", (code,), {
                    "group": row.decision.label, "diff": change.verdict.estimate}))
    found.sort(key=lambda f: -abs(f.values["diff"]))
    return found[:limit]


def _participation(report: QuarterReport) -> list[Finding]:
    rates = {w.label: d for w, d in report.participation}
    current = rates.get(report.wave.label)
    if current is None or current.rate is None:
        return []
    previous = rates.get(report.previous.label) if report.previous else None
    return [Finding("participation", "participation", (), {
        "responded": current.n, "invited": current.invited, "rate": current.rate,
        "previous": previous.rate if previous else None})]


def _extremes(report: QuarterReport) -> list[Finding]:
    scored = [(code, s.current.score.estimate) for code, s in report.sections.items()
              if s.current.shown and s.current.score is not None and s.current.score.computable]
    if len(scored) < 2:
        return []
    high = max(scored, key=lambda x: x[1])
    low = min(scored, key=lambda x: x[1])
    return [Finding("extremes", "heatmap", (high[0], low[0]),
                    {"high": high[1], "low": low[1]})]


def _driver(report: QuarterReport) -> list[Finding]:
    weights = report.weights
    if weights is None or not weights.computable or not weights.percent or not report.wave:
        return []
    order = next(iter(report.wave.aggregates.values())).principles
    best = max(range(len(weights.percent)), key=lambda i: weights.percent[i])
    return [Finding("driver", "drivers", (order[best],),
                    {"share": weights.percent[best], "r2": weights.r_squared})]
