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
from reports.quarterly.build import Change, QuarterReport, TrendPoint

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


def _judged(change: Change | None, verdict: str) -> stats.ChangeVerdict | None:
    """The change's verdict when it is shown and says ``verdict``, else None."""
    if change is None or not change.shown or change.verdict is None:
        return None
    return change.verdict if change.verdict.verdict == verdict else None


def _previous_point(report: QuarterReport, code: str) -> TrendPoint | None:
    previous = report.previous.label if report.previous else None
    return next((p for p in report.sections[code].trend.points if p.wave == previous), None)


def _principle_changes(report: QuarterReport) -> list[Finding]:
    out = []
    for code, section in report.sections.items():
        change = _judged(section.change, stats.CHANGE)
        point = _previous_point(report, code)
        now, then = section.current, point.figure if point is not None else None
        if (change is not None and then is not None and now.shown and now.score and then.score
                and now.favourable and then.favourable):
            out.append(Finding("change", f"trend-{code}", (code,), {
                "before": then.score.estimate, "after": now.score.estimate,
                "diff": change.estimate, "q": change.q_value,
                "fav_before": then.favourable.estimate, "fav_after": now.favourable.estimate}))
        elif (small := _judged(section.change, stats.NO_MEANINGFUL_CHANGE)) is not None:
            out.append(Finding("no_meaningful_change", f"trend-{code}", (code,), {
                "diff": small.estimate, "threshold": small.threshold}))
    return out


def _summaries(report: QuarterReport) -> list[Finding]:
    undetectable = [(code, verdict) for code, s in report.sections.items()
                    if (verdict := _judged(s.change, stats.NO_CHANGE_DETECTABLE)) is not None]
    too_few = tuple(code for code, s in report.sections.items() if _verdict(s.change) == "too_few")
    out = []
    if undetectable:
        mdds = [v.mdd for _code, v in undetectable if v.mdd is not None]
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
            if (verdict := _judged(change, stats.CHANGE)) is not None:
                found.append(Finding("group_change", "heatmap", (code,), {
                    "group": row.decision.label, "diff": verdict.estimate}))
    found.sort(key=lambda f: -abs(f.values["diff"]))
    return found[:limit]


def _participation(report: QuarterReport) -> list[Finding]:
    rates = {w.label: d for w, d in report.participation}
    current = rates.get(report.wave.label) if report.wave is not None else None
    if current is None or current.rate is None:
        return []
    previous = rates.get(report.previous.label) if report.previous else None
    return [Finding("participation", "participation", (), {
        "responded": current.n, "invited": current.invited, "rate": current.rate,
        "previous": previous.rate if previous else None})]


def _extremes(report: QuarterReport) -> list[Finding]:
    scored = [(code, estimate) for code, s in report.sections.items()
              if s.current.shown and s.current.score is not None and s.current.score.computable
              and (estimate := s.current.score.estimate) is not None]
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
    percent = weights.percent
    order = next(iter(report.wave.aggregates.values())).principles
    best = max(range(len(percent)), key=lambda i: percent[i])
    return [Finding("driver", "drivers", (order[best],),
                    {"share": weights.percent[best], "r2": weights.r_squared})]
