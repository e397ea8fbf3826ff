"""The answer form: Flask-WTF for the CSRF token, plain fields named ``item_<id>``.

The radio buttons are written by the template from :mod:`survey.answering.questionnaire`
rather than by one WTForms field per choice: on survey day this page is rendered for everyone
within the hour, and per-choice widget rendering cost more than the rest of the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


class HasId(Protocol):
    """An item or a question."""

    id: int


class AnswerForm(FlaskForm):
    """Only the CSRF token; answers are read with :func:`posted_answers`."""


def field_name(item: HasId) -> str:
    """The form field name of an item."""
    return f"item_{item.id}"


def posted_answers(formdata: Mapping[str, str], items: Iterable[HasId]) -> dict[int, str | None]:
    """The posted value of every item (None when skipped); other fields are ignored."""
    return {item.id: formdata.get(field_name(item)) for item in items}


NOTHING_ANSWERED = _l("Please answer at least one question.")
SOME_INVALID = _l("Some answers were not valid. Please check the marked questions.")
