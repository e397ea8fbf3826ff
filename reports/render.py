"""The quarterly report as a page: context (findings, charts, tables), HTML and PDF.

The web page, the standalone HTML file and the PDF are rendered from the same templates
(``templates/reports/_report_body.html``); the PDF is that HTML through WeasyPrint with a
print stylesheet and the IPAexGothic font from ``matplotlib_fontja`` (a file:// URL, so the
font is embedded without any system font).  Every number comes from the gated report; this
module only localises, rounds and draws.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from reports import charts
from reports.findings import finding_text, select_findings
from reports.labels import group_name
from reports.quarterly import Change, MeasureSection, QuarterReport
from survey.db import db
from survey.i18n import localized
from survey.models import Item
from survey.roster.labels import attribute_labels

STATIC = Path(__file__).resolve().parent.parent / "static"


@dataclass
class Timings:
    """Seconds spent drawing charts and filling templates (for ``bench/report_render.py``)."""

    charts_s: float = 0.0
    template_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


TIMINGS = Timings()


def reason_text(code: str | None) -> str:
    """Why a figure is hidden, from the gate's (or a statistic's) reason code."""
    return {
        "below_k": _("fewer answers than the minimum group size"),
        "complementary": _("hidden so that a smaller group cannot be worked out by subtraction"),
        "rolled_up": _("counted in the larger unit"),
        "membership_change": _("membership changed too much to compare"),
        "too_few": _("too few answers to compute"),
        "too_few_for_test": _("too few answers to test"),
        "no_variance": _("all answers identical"),
        "empty": _("no answers"),
        "too_few_waves": _("too few rounds"),
        "too_few_waves_each_side": _("fewer than 3 rounds before or after"),
        "flat_series": _("the same figure in every round, so there is no trend to test"),
        "exact_fit": _("the rounds lie exactly on a line, so there is nothing to test against"),
        "missing_item": _("not asked"),
        "too_few_items": _("a scale needs at least two items"),
        "too_few_groups": _("too few groups to compare"),
        "no_p_value": _("no test available"),
    }.get(str(code), _("not shown"))


def label_word(change: Change | None) -> str:
    """The change label in words ("significant change", "no meaningful change", …)."""
    if change is None:
        return _("no earlier round")
    if not change.shown:
        return _("not comparable: %(reason)s", reason=reason_text(change.gate.reason_code))
    if change.label is None:
        return _("too few answers to test")
    return {"change": _("significant change"), "no meaningful change": _("no meaningful change"),
            "no change detectable": _("no change detectable")}[change.label.label]


#: Heatmap ramp in two halves that skip the mid blues: no mid blue carries 4.5:1 (WCAG AA)
#: with either dark or white text, so the light half takes dark text (at least 7.9:1) and the
#: dark half white text (at least 4.9:1); ``tests/test_reports_render.py`` checks every score.
HEAT_LIGHT = ((0xEE, 0xF4, 0xFB), (0x8F, 0xB8, 0xDE), "#1b1f24")
HEAT_DARK = ((0x3A, 0x74, 0xA8), (0x0B, 0x4F, 0x8A), "#ffffff")


def heat_style(score: float | None) -> str:
    """Inline style of a heatmap cell: light to dark blue with a text colour that reads."""
    if score is None:
        return ""
    t = min(max((score - 30) / 50, 0.0), 1.0)
    (start, end, ink), u = (HEAT_LIGHT, 2 * t) if t < 0.5 else (HEAT_DARK, 2 * t - 1)
    rgb = "".join(f"{round(a + (b - a) * u):02x}" for a, b in zip(start, end, strict=True))
    return f"background:#{rgb};color:{ink}"


def principle_titles(report: QuarterReport) -> dict[str, str]:
    """Localised principle titles by code."""
    return {p.code: localized(p.title_ja, p.title_en) for p in report.principles}


def item_labels(report: QuarterReport) -> dict[int, str]:
    """Localised short label of every item the report shows (see :func:`short_labels`)."""
    ids = [i.item_id for s in report.sections.values() for i in s.items]
    if not ids:
        return {}
    rows = list(db.session.scalars(select(Item).where(Item.id.in_(ids))))
    return dict(zip([row.id for row in rows],
                    short_labels([localized(row.text_ja, row.text_en) for row in rows]),
                    strict=True))


def short_labels(texts: list[str]) -> list[str]:
    """Item wordings without the lead-in they all share ("In the last month, …").

    Items of a pulse survey often open alike, so labels cut to fit a chart would all read the
    same; what tells them apart comes after the shared opening clause.  Only a whole clause
    (up to a comma) is dropped, and only when at least two items share it.
    """
    if len(texts) < 2:
        return texts
    lead = texts[0]
    for text in texts[1:]:
        while not text.startswith(lead):
            lead = lead[:-1]
    cut = max(lead.rfind(", "), lead.rfind("、"))
    if cut < 0:
        return texts
    size = cut + (2 if lead[cut] == "," else 1)
    return [_capitalise(t[size:]) if t[size:].strip() else t for t in texts]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _trend_chart(chart_id: str, title: str, section: MeasureSection, report: QuarterReport,
                 enps: bool = False) -> charts.Chart:
    attr = "enps" if enps else "score"
    points = {p.wave: p for p in section.trend.points}
    waves = [w for w, _d in report.participation if w.closed]
    values, lows, highs, notes = [], [], [], []
    for wave in waves:
        estimate = getattr(points[wave.label].figure, attr) if wave.label in points else None
        ok = estimate is not None and estimate.computable
        values.append(estimate.estimate if ok else None)
        lows.append(estimate.ci_low if ok else None)
        highs.append(estimate.ci_high if ok else None)
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


def page_context(report: QuarterReport) -> dict[str, Any]:
    """Everything the report templates need."""
    titles = principle_titles(report)
    items = item_labels(report)
    started = time.perf_counter()
    drawn = report_charts(report, titles, items)
    TIMINGS.charts_s += time.perf_counter() - started
    findings = [(finding_text(f, titles.get), f.anchor) for f in select_findings(report)]
    order = list(next(iter(report.wave.aggregates.values())).principles) if report.wave else []
    return {
        "report": report, "titles": titles, "items": items, "charts": drawn,
        "findings": findings, "reason_text": reason_text, "label_word": label_word,
        "heat_style": heat_style, "group_name": group_name, "weight_order": order,
        "attribute_labels": attribute_labels(db.session, report.attributes),
    }


@contextmanager
def _request_context(lang: str | None) -> Iterator[None]:
    if has_request_context():
        yield
        return
    with current_app.test_request_context(f"/?lang={lang or 'ja'}"):
        yield


def _render(template: str, report: QuarterReport, **extra: Any) -> str:
    context = page_context(report)
    started = time.perf_counter()
    html = render_template(template, **context, **extra)
    TIMINGS.template_s += time.perf_counter() - started
    return html


def render_report_page(report: QuarterReport) -> str:
    """The web page (inside the site layout)."""
    return _render("reports/quarter.html", report)


def render_report_html(report: QuarterReport, lang: str | None = None) -> str:
    """A standalone HTML file (styles inlined) for archiving or mailing."""
    css = "\n".join((STATIC / name).read_text(encoding="utf-8")
                    for name in ("naranu.css", "report.css"))
    with _request_context(lang):
        return _render("reports/document.html", report, inline_css=css)


def font_face_css() -> str:
    """@font-face for IPAexGothic from the matplotlib_fontja package (embedded in the PDF)."""
    url = Path(charts.FONT_FILE).resolve().as_uri()
    faces = "".join(f'@font-face {{ font-family: "IPAexGothic"; font-weight: {weight}; '
                    f'src: url("{url}"); }}\n' for weight in ("normal", "bold"))
    return faces + (':root, html, body, h1, h2, h3, th, td, table, button, input, select '
                    '{ font-family: "IPAexGothic"; }')


#: PDF/UA-1 (ISO 14289-1): a tagged PDF whose structure (headings, lists, tables, figures with
#: their text alternative) and language screen readers can use; checked by page-validation in
#: ``tests/test_reports_render.py``.
PDF_VARIANT = "pdf/ua-1"


def render_report_pdf(report: QuarterReport, lang: str | None = None) -> bytes:
    """The same report as a tagged PDF (A4, print stylesheet, Japanese font embedded)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    token = charts.LAYOUTS.set((charts.PRINT,))  # paper has one width
    try:
        with _request_context(lang):
            html = _render("reports/document.html", report, inline_css=None, pdf=True)
    finally:
        charts.LAYOUTS.reset(token)
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(STATIC / name), font_config=fonts)
              for name in ("naranu.css", "report.css")]
    sheets.append(CSS(string=font_face_css(), font_config=fonts))
    started = time.perf_counter()
    pdf = HTML(string=html, base_url=str(STATIC)).write_pdf(
        stylesheets=sheets, font_config=fonts, pdf_variant=PDF_VARIANT)
    TIMINGS.extra["weasyprint_s"] = TIMINGS.extra.get("weasyprint_s", 0.0) + \
        time.perf_counter() - started
    return pdf


def home_rows(reports: list[QuarterReport]) -> list[dict[str, Any]]:
    """Per quarter: its round and, per principle, the gated total figure and labelled change."""
    return [{"report": r, "cells": {code: (s.current, s.change) for code, s in r.sections.items()}}
            for r in reports]
