"""Findings: the 3–6 sentences at the top of the report, generated from its statistics.

:func:`select_findings` is pure: it picks what is worth saying from a gated
:class:`~reports.quarterly.QuarterReport` and keeps the raw numbers with a pointer (anchor) to
the figure each sentence comes from.  :func:`finding_text` words one finding in the request's
language (Flask-Babel) and rounds only there.  Only comparisons labelled "change" (BH q < 0.05
and at least the practical size) are called changes; "no meaningful change" and "no change
detectable" (with the minimum detectable difference) are said as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from reports import stats
from reports.labels import group_name
from reports.quarterly import Change, QuarterReport

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


def _label(change: Change | None) -> str | None:
    if change is None or not change.shown:
        return None
    return change.label.label if change.label is not None else "too_few"


def _previous_point(report: QuarterReport, code: str):
    previous = report.previous.label if report.previous else None
    return next((p for p in report.sections[code].trend.points if p.wave == previous), None)


def _principle_changes(report: QuarterReport) -> list[Finding]:
    out = []
    for code, section in report.sections.items():
        label = _label(section.change)
        point = _previous_point(report, code)
        if label == stats.CHANGE and point is not None and section.current.shown:
            out.append(Finding("change", f"trend-{code}", (code,), {
                "before": point.figure.score.estimate, "after": section.current.score.estimate,
                "diff": section.change.label.estimate, "q": section.change.label.q_value,
                "fav_before": point.figure.favourable.estimate,
                "fav_after": section.current.favourable.estimate}))
        elif label == stats.NO_MEANINGFUL_CHANGE:
            out.append(Finding("no_meaningful_change", f"trend-{code}", (code,), {
                "diff": section.change.label.estimate,
                "threshold": section.change.label.threshold}))
    return out


def _summaries(report: QuarterReport) -> list[Finding]:
    undetectable = [(code, s.change) for code, s in report.sections.items()
                    if _label(s.change) == stats.NO_CHANGE_DETECTABLE]
    too_few = tuple(code for code, s in report.sections.items() if _label(s.change) == "too_few")
    out = []
    if undetectable:
        mdds = [c.label.mdd for _code, c in undetectable if c.label.mdd is not None]
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
            if _label(change) == stats.CHANGE:
                found.append(Finding("group_change", "heatmap", (code,), {
                    "group": group_name(row.decision.label), "diff": change.label.estimate}))
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


def _signed(value: float) -> str:
    return f"{value:+.0f}"


def _titles(codes: tuple[str, ...], title_of: Callable[[str], str]) -> str:
    return _(", ").join(_('"%(title)s"', title=title_of(c)) for c in codes)


def finding_text(finding: Finding, title_of: Callable[[str], str]) -> str:
    """The finding as one sentence in the current language (numbers rounded here)."""
    v = finding.values
    title = title_of(finding.codes[0]) if finding.codes else ""
    if finding.kind == "change":
        return _('"%(title)s": score %(before)s → %(after)s (%(diff)s pt, significant change); '
                 "favourable people (average ≥ 4) %(fav_before)s%% → %(fav_after)s%%.",
                 title=title, before=f"{v['before']:.0f}", after=f"{v['after']:.0f}",
                 diff=_signed(v["diff"]), fav_before=f"{v['fav_before']:.0f}",
                 fav_after=f"{v['fav_after']:.0f}")
    if finding.kind == "no_meaningful_change":
        return _('"%(title)s": %(diff)s pt since the previous quarter — no meaningful change '
                 "(below the practical size of %(threshold)s pt).", title=title,
                 diff=_signed(v["diff"]), threshold=f"{v['threshold']:.0f}")
    if finding.kind == "not_detectable":
        return _not_detectable(finding, title_of)
    if finding.kind == "too_few":
        return _("Too few responses to test for a change in %(titles)s.",
                 titles=_titles(finding.codes, title_of))
    if finding.kind == "group_change":
        return _('%(group)s: "%(title)s" moved %(diff)s pt since the previous quarter '
                 "(significant change).", group=v["group"], title=title,
                 diff=_signed(v["diff"]))
    return _other_text(finding, title_of)


def _not_detectable(finding: Finding, title_of: Callable[[str], str]) -> str:
    v = finding.values
    titles = _titles(finding.codes, title_of)
    if v["mdd_low"] is None:
        return _("No change could be detected for %(titles)s.", titles=titles)
    low, high = f"{v['mdd_low']:.0f}", f"{v['mdd_high']:.0f}"
    size = low if low == high else f"{low}–{high}"
    return _("No change could be detected for %(titles)s: with this many responses only a "
             "difference of about %(mdd)s pt or more would be detectable.",
             titles=titles, mdd=size)


def _other_text(finding: Finding, title_of: Callable[[str], str]) -> str:
    v = finding.values
    if finding.kind == "participation":
        text = _("%(responded)s of %(invited)s staff answered this quarter's round (%(rate)s%%).",
                 responded=v["responded"], invited=v["invited"], rate=f"{100 * v['rate']:.0f}")
        if v["previous"] is not None:
            text += " " + _("The previous round: %(rate)s%%.", rate=f"{100 * v['previous']:.0f}")
        return text
    if finding.kind == "extremes":
        return _('Highest score this quarter: "%(high)s" (%(high_score)s); lowest: "%(low)s" '
                 "(%(low_score)s).", high=title_of(finding.codes[0]),
                 high_score=f"{v['high']:.0f}", low=title_of(finding.codes[1]),
                 low_score=f"{v['low']:.0f}")
    if finding.kind == "driver":
        return _('Of the principles, "%(title)s" is most closely linked to recommending this '
                 "workplace (%(share)s%% of the explained variance, R² = %(r2)s).",
                 title=title_of(finding.codes[0]), share=f"{v['share']:.0f}",
                 r2=f"{v['r2']:.2f}")
    raise ValueError(f"unknown finding kind {finding.kind!r}")
