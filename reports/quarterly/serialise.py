"""The quarterly report as JSON: every figure the report shows, keyed by principle and group,
each with its n.  Suppressed figures appear as ``{"suppressed": reason_code}``, never as 0."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from reports.disclosure import GroupDecision
from reports.figures import GroupFigure
from reports.quarterly.build import Change, MeasureSection, QuarterReport, Trend

# "favourable" is two different shares; every JSON report says which is which.
FAVOURABLE = {
    "item": "share of answers 4-5 to the question (reverse-worded questions reversed first)",
    "principle": "share of people whose average over their answered questions of the "
                 "principle is 4 or more (reverse-worded questions reversed first)",
}


def label_text(label: tuple[tuple[str, str], ...]) -> str:
    """``department=税務課 / tenure_band=0-2年``; the whole organisation is ``all``."""
    return " / ".join(f"{name}={value}" for name, value in label) or "all"


def _estimate(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    data = (asdict(value) if is_dataclass(value) and not isinstance(value, type)
            else dict(value))
    return {k: v for k, v in data.items() if v is not None and v != ""}


def figure_json(figure: GroupFigure) -> dict[str, Any]:
    """One gated figure."""
    decision = figure.decision
    if not figure.shown:
        return {"suppressed": str(decision.reason_code), "reason": decision.reason}
    out: dict[str, Any] = {"n": figure.n}
    for name in ("score", "favourable", "mean", "enps"):
        estimate = _estimate(getattr(figure, name))
        if estimate is not None:
            out[name] = estimate
    if decision.includes:
        out["includes"] = [label_text(label) for label in decision.includes]
    return out


def change_json(change: Change | None) -> dict[str, Any] | None:
    """A gated, labelled comparison."""
    if change is None:
        return None
    if not change.shown or change.comparison is None:
        return {"suppressed": str(change.gate.reason_code), "reason": change.gate.reason}
    comparison = change.comparison
    out = {"figure": comparison.figure, "difference": _estimate(comparison.difference),
           "p_value": comparison.p_value, "p_method": comparison.p_method,
           "cliffs_delta": comparison.cliffs_delta, "mdd": comparison.mdd}
    if change.verdict is not None:
        out["label"] = change.verdict.verdict
        out["q_value"] = change.verdict.q_value
    else:
        out["label"] = "too_few_for_test"
    return out


def trend_json(trend: Trend) -> dict[str, Any]:
    """Points and trend tests."""
    return {
        "points": [{"wave": p.wave, "closes_on": p.closes_on.isoformat(),
                    **figure_json(p.figure)} for p in trend.points],
        "wls": _estimate(trend.wls), "mann_kendall": _estimate(trend.mann_kendall),
        "theil_sen": _estimate(trend.theil_sen),
        "interventions": [{"on": event.on.isoformat(), "text": event.text,
                           "status": event.status, "effect": _estimate(effect)}
                          for event, effect in trend.interventions],
    }


def section_json(section: MeasureSection) -> dict[str, Any]:
    """A principle's (or eNPS's) figures."""
    return {
        "current": figure_json(section.current), "change": change_json(section.change),
        "trend": trend_json(section.trend), "alpha": _estimate(section.alpha),
        "driver": _estimate(section.driver),
        "items": [{"item_id": item.item_id, **figure_json(item.figure),
                   **({"counts": list(item.counts)} if item.counts else {})}
                  for item in section.items],
    }


def _rate(decision: GroupDecision) -> dict[str, Any]:
    if not decision.shown:
        return {"group": label_text(decision.label), "suppressed": str(decision.reason_code)}
    return {"group": label_text(decision.label), "n": decision.n, "invited": decision.invited,
            "rate": decision.rate}


def _coverage(report: QuarterReport) -> dict[str, Any] | None:
    """How many respondents the breakdown's shown groups place (see ``Coverage``)."""
    coverage = report.coverage
    if coverage is None:
        return None
    return {"covered": coverage.covered, "respondents": coverage.total,
            "in_groups_too_small": coverage.outside, "note": (
                f"covers {coverage.covered} of {coverage.total} respondents; "
                f"{coverage.outside} are in groups too small to show") if coverage.partial
            else f"covers all {coverage.total} respondents"}


def report_json(report: QuarterReport) -> dict[str, Any]:
    """The whole quarterly report."""
    out: dict[str, Any] = {
        "quarter": report.quarter.label,
        "wave": report.wave.label if report.wave else None,
        "previous_wave": report.previous.label if report.previous else None,
        "k": report.wave.k if report.wave else None,
        "participation": [{"wave": w.label, **_rate(d)} for w, d in report.participation],
        "definitions": {"favourable": FAVOURABLE},
        "principles": {},
    }
    if report.wave is None:
        out["note"] = "no closed wave in this quarter"
        return out
    for meta in report.principles:
        if meta.code in report.sections:
            out["principles"][meta.code] = {"title_ja": meta.title_ja, "title_en": meta.title_en,
                                            **section_json(report.sections[meta.code])}
    out["enps"] = section_json(report.enps) if report.enps else None
    out["breakdown"] = report.breakdown
    out["breakdowns_offered"] = list(report.attributes)
    out["unit_hierarchy"] = list(report.hierarchy)
    out["concurrent_posts"] = report.concurrent_rule
    out["coverage"] = _coverage(report)
    out["groups"] = [
        {"group": label_text(row.decision.label), "other": row.is_remainder,
         "invited": row.invited if row.decision.shown else None,
         "includes": [label_text(label) for label in row.decision.includes],
         "principles": {code: {**figure_json(fig), "change": change_json(row.changes[code])}
                        for code, fig in row.figures.items()}}
        for row in report.groups
    ]
    out["group_participation"] = [_rate(d) for d in report.group_participation]
    out["comments"] = [{"group": label_text(c.label), "comments": list(c.comments)}
                       if c.shown else {"group": label_text(c.label),
                                        "suppressed": str(c.reason_code)}
                       for c in report.comments]
    out["relative_weights"] = _estimate(report.weights)
    out["thresholds"] = report.thresholds
    return out
