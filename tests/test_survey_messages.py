"""One convention for refusals: every code a service raises has its own words, in both languages.

The codes are read from the sources (``raise WaveError("label_taken")`` …), so a new code that
nobody worded fails here instead of reaching a page as "The action could not be done."
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from survey.admin.messages import settings_message
from survey.auth.messages import account_message
from survey.auth.services import AccountError
from survey.cadence.messages import schedule_message
from survey.cadence.plan import ScheduleError
from survey.mail.messages import mail_queue_message
from survey.mail.queue import MailQueueError
from survey.org_settings import SettingsError
from survey.plans.messages import plan_message
from survey.plans.services import PlanError
from survey.principles.messages import principle_message
from survey.principles.services import PrincipleError
from survey.roster.labels import LabelError
from survey.roster.messages import label_message, roster_message
from survey.roster.parsing import RosterError
from survey.service_error import ServiceError
from survey.units.messages import unit_message
from survey.units.services import UnitError
from survey.waves.messages import wave_message
from survey.waves.services import WaveError

SURVEY = Path(__file__).resolve().parent.parent / "survey"
WORDED: dict[type[ServiceError], Callable[[Any], str]] = {
    AccountError: account_message, LabelError: label_message,
    MailQueueError: mail_queue_message, PrincipleError: principle_message,
    RosterError: roster_message, ScheduleError: schedule_message,
    SettingsError: settings_message, WaveError: wave_message,
    PlanError: plan_message, UnitError: unit_message,
}
GENERAL = {"The action could not be done.", "この操作は実行できませんでした。"}


def raised_codes(error: type[ServiceError]) -> set[str]:
    """Every literal code ``error`` is raised with anywhere in survey/."""
    pattern = re.compile(rf"\b{error.__name__}\(\s*\"(\w+)\"")
    return {code for path in SURVEY.rglob("*.py") for code in pattern.findall(path.read_text())}


@pytest.mark.parametrize("error", list(WORDED), ids=lambda error: error.__name__)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_raised_code_has_its_own_words(app: Flask, error: type[ServiceError],
                                             language: str) -> None:
    codes = raised_codes(error)
    assert codes, f"no {error.__name__} found in the sources"
    with app.test_request_context(), force_locale(language):
        texts = {code: WORDED[error](error(code)) for code in codes}
    general = {code for code, text in texts.items() if text in GENERAL}
    assert not general, f"codes without words of their own: {sorted(general)}"
    assert len(set(texts.values())) == len(texts)


def test_an_unknown_code_gets_the_general_sentence(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert wave_message(WaveError("no_such_code")) == "The action could not be done."
