"""The quarterly report as a page: context (findings, charts, tables), HTML and PDF.

The web page, the standalone HTML file and the PDF are rendered from the same templates
(``templates/reports/_report_body.html``); the PDF is that HTML through WeasyPrint with a
print stylesheet and the IPAexGothic font from ``matplotlib_fontja`` (a file:// URL, so the
font is embedded without any system font).  Every number comes from the gated report; this
module only localises, rounds and draws.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, render_template

from reports import charts
from reports.quarterly.build import QuarterReport
from reports.quarterly.charts import report_charts, unit_trend_chart
from reports.quarterly.findings import select_findings
from reports.quarterly.unit import UnitView
from reports.quarterly.wording import finding_text, group_name, reason_text, verdict_word
from reports.storage.load import item_texts
from survey.db import db
from survey.i18n import localized
from survey.roster.labels import attribute_labels
from survey.units.paths import unit_label

STATIC = Path(__file__).resolve().parents[2] / "static"


@dataclass
class Timings:
    """Seconds spent drawing charts and filling templates (for ``bench/report_render.py``)."""

    charts_s: float = 0.0
    template_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


TIMINGS = Timings()


#: Heatmap ramp in two halves that skip the mid blues: no mid blue carries 4.5:1 (WCAG AA)
#: with either dark or white text, so the light half takes dark text (at least 7.9:1) and the
#: dark half white text (at least 4.9:1); ``tests/test_reports_quarterly_page.py`` checks
#: every score.
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
    texts = item_texts(db.session, ids)
    return dict(zip(texts, short_labels(list(texts.values())), strict=True))


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


def page_context(report: QuarterReport) -> dict[str, Any]:
    """Everything the report templates need."""
    titles = principle_titles(report)
    items = item_labels(report)
    started = time.perf_counter()
    drawn = report_charts(report, titles, items)
    TIMINGS.charts_s += time.perf_counter() - started
    findings = [(finding_text(f, lambda code: titles.get(code, code)), f.anchor)
                for f in select_findings(report)]
    order = list(next(iter(report.wave.aggregates.values())).principles) if report.wave else []
    return {
        "report": report, "titles": titles, "items": items, "charts": drawn,
        "findings": findings, "reason_text": reason_text, "verdict_word": verdict_word,
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


def render_unit_report_page(report: QuarterReport, units: Sequence[UnitView]) -> str:
    """A unit head's page: their units (with their charts), then the organisation."""
    titles = principle_titles(report)
    drawn = [{code: unit_trend_chart(f"unit-{index}-trend-{code}", titles[code], section, report)
              for code, section in view.sections.items()} for index, view in enumerate(units)]
    return _render("reports/unit_quarter.html", report, units=units, unit_charts=drawn,
                   unit_label=unit_label, scope="unit")


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
#: ``tests/test_reports_quarterly_page.py``.
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
