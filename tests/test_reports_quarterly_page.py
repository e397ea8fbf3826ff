"""Rendering: the PDF opens, has the section headings and embeds IPAexGothic; standalone HTML."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from pypdf import PdfReader

from survey.db import db
from tests.conftest import ROOT, TOKEN_KEY

QUARTER = "FY2026Q3"


@pytest.fixture()
def seeded(app: Flask) -> Flask:
    """Three closed demo waves."""
    from survey.demo import DemoSpec, seed_demo

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=60, waves=3, seed=1), TOKEN_KEY)
    return app


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_pdf_command_embeds_the_japanese_font(seeded: Flask, runner: FlaskCliRunner,
                                              tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", QUARTER, "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages)
    for heading in ("要点", "回答状況", "行動指針ごとの推移", "今四半期の回答分布",
                    "グループ × 行動指針", "関連要因と内的一貫性", "自由記述", "方法"):
        assert heading in text
    fonts = _fonts(reader)
    assert fonts and all("IPAexGothic" in name for name in fonts), fonts


def test_html_command_is_standalone(seeded: Flask, runner: FlaskCliRunner,
                                    tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(args=["report", QUARTER, "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<style>" in html and "組織風土レポート" in html and "<script" not in html
    assert html.count('role="img"') >= 3 and html.count("<details") >= 3


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_statistic_reason_code_has_words(app: Flask, lang: str) -> None:
    # A statistic's reason code (e.g. an intervention on a flat series) is shown with
    # reason_text; a code without words would print the catch-all "not shown".
    from reports.quarterly.wording import reason_text
    from reports.stats._common import REASONS

    with app.test_request_context(f"/?lang={lang}"):
        fallback = reason_text("no such code")
        missing = [code for code in REASONS if reason_text(code) == fallback]
    assert missing == []


HEADINGS = {
    "ja": ("要点", "回答状況", "行動指針ごとの推移", "今四半期の回答分布", "グループ × 行動指針",
           "関連要因と内的一貫性", "自由記述", "方法"),
    "en": ("Findings", "Participation", "Trend per principle", "This quarter's answer distribution",
           "Groups × principles", "Drivers and consistency", "Comments", "Method"),
}
FOOTER_PT = 45  # the page number sits in the bottom margin (16 mm)
PAGE_PT = 842  # A4's height
ORPHAN_SHARE = 0.25  # a page whose content ends in its top quarter holds a stray remnant


def _keep_pictures(pdf: bytes, name: str) -> None:
    """The PDF and a PNG of each page in ``test-artifacts/`` (git-ignored), to look at."""
    folder = ROOT / "test-artifacts"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    for old in folder.glob(f"{name}-page-*.png"):
        old.unlink()
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(folder / f"{name}.pdf"),
                        str(folder / f"{name}-page")], check=True)


def _lines(page: Any) -> list[tuple[str, float]]:
    """(text, height above the page's bottom edge in pt) of every text run on a PDF page."""
    runs: list[tuple[str, float]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, _font, _size: runs.append(
        (text.strip(), (tm[5] * cm[3]) + cm[5])) if text.strip() else None)
    return runs


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pdf_is_tagged_pdf_ua_without_orphans(seeded: Flask, lang: str) -> None:
    from page import ValidationProfile, validate_pdf_bytes

    from reports.quarterly.page import render_report_pdf
    from reports.quarterly.services import quarter_report

    with seeded.app_context():
        pdf = render_report_pdf(quarter_report(db.session, QUARTER), lang=lang)
    _keep_pictures(pdf, f"report-{lang}")
    root: Any = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == lang
    check = validate_pdf_bytes(pdf, profile=ValidationProfile.PDF_UA_1)
    assert check.is_compliant, [f"{f.rule_id}: {f.message}" for f in check.failures]

    pages = PdfReader(io.BytesIO(pdf)).pages
    body = [[(t, y) for t, y in _lines(p) if y > FOOTER_PT] for p in pages]
    for number, runs in enumerate(body, start=1):
        lowest = min(y for _t, y in runs)
        assert lowest < PAGE_PT * (1 - ORPHAN_SHARE), f"page {number} is a nearly empty orphan"
        for heading in HEADINGS[lang]:
            tops = [y for t, y in runs if t == heading]
            assert not tops or any(y < tops[0] - 30 for _t, y in runs), \
                f"{heading!r} is stranded at the foot of page {number}"
    text = "".join(t for runs in body for t, _y in runs)
    assert all(h in text for h in HEADINGS[lang])
    if lang == "en":
        assert "“" not in text and "”" not in text  # set full-width by the Japanese font
