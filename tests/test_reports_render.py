"""Rendering: the PDF opens, has the section headings and embeds IPAexGothic; standalone HTML."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import TOKEN_KEY
from flask import Flask
from flask.testing import FlaskCliRunner
from pypdf import PdfReader

from survey.db import db

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
        for font in (page["/Resources"].get("/Font") or {}).values():
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
    from reports.render import reason_text
    from reports.stats._common import REASONS

    with app.test_request_context(f"/?lang={lang}"):
        fallback = reason_text("no such code")
        missing = [code for code in REASONS if reason_text(code) == fallback]
    assert missing == []
