"""reports.exports.messages and reports.quarterly.messages: every refusal has words of its own.

The twin of ``tests/test_survey_messages.py`` for the report features: a code raised anywhere
in ``reports/`` without a sentence in its feature's messages module would reach people as the
general "could not be done", in the page's language or (commands) in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from reports.exports.messages import export_message
from reports.exports.service import ExportError
from reports.quarterly.messages import report_message
from reports.quarterly.services import ReportError
from survey.service_error import ServiceError

REPORTS = Path(__file__).resolve().parent.parent / "reports"
WORDED: dict[type[ServiceError], Callable[[Any], str]] = {
    ExportError: export_message, ReportError: report_message,
}
GENERAL = {"The action could not be done.", "この操作は実行できませんでした。"}
#: Codes handed to a parser that raises the error with them (``_parse(Enum, value, "code")``).
PARSED = re.compile(r"_parse\([^()]*\"(\w+)\"\)")


def raised_codes(error: type[ServiceError]) -> set[str]:
    """Every literal code ``error`` is raised with anywhere in reports/."""
    pattern = re.compile(rf"\b{error.__name__}\(\s*\"(\w+)\"")
    codes = set()
    for path in REPORTS.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(pattern.findall(text))
        if error is ExportError:
            codes |= set(PARSED.findall(text))
    return codes


@pytest.mark.parametrize("error", list(WORDED), ids=lambda error: error.__name__)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_raised_code_has_its_own_words(app: Flask, error: type[ServiceError],
                                             language: str) -> None:
    codes = raised_codes(error)
    assert len(codes) >= 3, f"too few {error.__name__} codes found: {codes}"
    with app.test_request_context(), force_locale(language):
        texts = {code: WORDED[error](error(code)) for code in codes}
    general = {code for code, text in texts.items() if text in GENERAL}
    assert not general, f"codes without words of their own: {sorted(general)}"
    assert len(set(texts.values())) == len(texts)


def test_the_command_and_the_page_say_the_same_thing(app: Flask) -> None:
    error = ExportError("unknown_wave", wave=42)
    with app.test_request_context(), force_locale("en"):
        assert export_message(error) == "There is no wave with id 42."
    with app.test_request_context(), force_locale("ja"):
        assert export_message(error) == "ID 42 の回はありません。"
