"""The quarterly report's charts: its gated figures as trend, participation and distribution
charts (drawn by :mod:`reports.charts`), with their text alternatives and data tables."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from reports import charts
from reports.quarterly.build import MeasureSection, QuarterReport
from reports.quarterly.wording import reason_text


def _trend_chart(chart_id: str, title: str, section: MeasureSection, report: QuarterReport,
                 enps: bool = False) -> charts.Chart:
    attr = "enps" if enps else "score"
    points = {p.wave: p for p in section.trend.points}
    waves = [w for w, _d in report.participation if w.closed]
    values, lows, highs, notes = [], [], [], []
    for wave in waves:
        estimate = getattr(points[wave.label].figure, attr) if wave.label in points else None
        shown = estimate if estimate is not None and estimate.computable else None
        values.append(shown.estimate if shown else None)
        lows.append(shown.ci_low if shown else None)
        highs.append(shown.ci_high if shown else None)
        notes.append(f"n = {points[wave.label].figure.n}" if wave.label in points
                     else _("suppressed: %(reason)s", reason=reason_text("below_k")))
    series = charts.TrendSeries(tuple(w.closes_on for w in waves), tuple(w.label for w in waves),
                                tuple(values), tuple(lows), tuple(highs), tuple(notes))
    markers = [charts.Marker(event.on, event.text) for event, _e in section.trend.interventions]
    shown = [v for v in values if v is not None]
    alt = _("%(count)s rounds; latest %(last)s, first %(first)s; %(markers)s actions marked.",
            count=len(waves), last=f"{shown[-1]:.0f}" if shown else "—",
            first=f"{shown[0]:.0f}" if shown else "—", markers=len(markers))
    columns = (_("Round"), _("Closed on"), _("eNPS") if enps else _("Score"), _("95% interval"),
               _("Note"))
    return charts.trend_chart(chart_id, title, alt, series, markers, columns,
                              _("eNPS") if enps else _("Score (0–100)"),
                              (-100, 100) if enps else (0, 100))


def _participation_chart(report: QuarterReport) -> charts.Chart:
    waves = [w.label for w, _d in report.participation]
    rates = [d.rate for _w, d in report.participation]
    known = [r for r in rates if r is not None]
    alt = _("Response rate of %(count)s rounds; latest %(last)s%%.", count=len(waves),
            last=f"{100 * known[-1]:.0f}" if known else "—")
    return charts.participation_chart(
        "participation-chart", _("Response rate per round"), alt, waves, rates,
        [(d.n, d.invited) for _w, d in report.participation],
        (_("Round"), _("Responses"), _("Invited"), _("Response rate")), _("Response rate (%)"),
        [_rate_note(w.closed, d.rate) for w, d in report.participation])


def _rate_note(closed: bool, rate: float | None) -> str:
    """What a round's bar says besides its rate: still open, or why there is no rate."""
    if closed:
        return "" if rate is not None else _("suppressed")
    return _("open, fewer than k answers so far") if rate is None else _("open")


def _distribution_chart(report: QuarterReport, titles: dict[str, str],
                        items: dict[int, str]) -> charts.Chart | None:
    groups = []
    for code, section in report.sections.items():
        rows = []
        for item in section.items:
            note = "" if item.counts else _("suppressed: %(reason)s",
                                            reason=reason_text(item.figure.decision.reason_code))
            rows.append((items.get(item.item_id, ""), item.counts, note))
        if rows:
            groups.append((titles[code], rows))
    if not groups:
        return None
    legend = (_("1 (least favourable)"), "2", _("3 (neutral)"), "4", _("5 (most favourable)"))
    alt = _("Answers 1–5 of %(count)s items; unfavourable to the left of zero, favourable to "
            "the right, neutral centred.", count=sum(len(rows) for _t, rows in groups))
    return charts.distribution_chart(
        "distribution-chart", _("This quarter's answers per item"), alt, groups, legend,
        (_("Item"), "1", "2", "3", "4", "5", _("Answers")))


def report_charts(report: QuarterReport, titles: dict[str, str],
                  items: dict[int, str]) -> dict[str, Any]:
    """Every chart of the report (none when the quarter has no closed wave)."""
    out: dict[str, Any] = {"trends": {},
                           "participation": _participation_chart(report)
                           if report.participation else None}
    if report.wave is None:
        return out
    for code, section in report.sections.items():
        out["trends"][code] = _trend_chart(f"trend-chart-{code}", titles[code], section, report)
    if report.enps is not None:
        out["enps"] = _trend_chart("trend-chart-enps", _("eNPS (would recommend this workplace)"),
                                   report.enps, report, enps=True)
    out["distribution"] = _distribution_chart(report, titles, items)
    return out


def unit_trend_chart(chart_id: str, title: str, section: MeasureSection,
                     report: QuarterReport) -> charts.Chart:
    """A unit's trend for one principle (a unit head's page), marked with the unit's plans and
    the organisation's."""
    return _trend_chart(chart_id, title, section, report)
