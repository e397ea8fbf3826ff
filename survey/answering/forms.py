"""The answer form, built from a wave's items (one optional field per item)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from survey.answering.services import MAX_COMMENT_LENGTH
from survey.i18n import localized
from survey.models import Item, ItemKind
from survey.principles.scales import likert_labels


class AnswerForm(FlaskForm):
    """Base class; fields are added per wave by :func:`answer_form_class`."""


def field_name(item: Item) -> str:
    """The form field name of an item."""
    return f"item_{item.id}"


def answer_form_class(items: list[Item]) -> type[AnswerForm]:
    """A form class with one optional field per item, labelled in the current language."""
    fields = {field_name(item): _field_for(item) for item in items}
    return type("WaveAnswerForm", (AnswerForm,), fields)


def _field_for(item: Item) -> RadioField | TextAreaField:
    label = localized(item.text_ja, item.text_en)
    if item.kind == ItemKind.COMMENT:
        return TextAreaField(label, validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])
    if item.kind == ItemKind.NPS11:
        choices = [(str(value), str(value)) for value in range(11)]
    else:
        labels = likert_labels(item.scale)
        choices = [(str(value), labels[value - 1]) for value in range(1, 6)]
    return RadioField(label, choices=choices, validators=[Optional()],
                      validate_choice=True, coerce=str)


def raw_answers(form: AnswerForm, items: list[Item]) -> dict[int, str | None]:
    """The posted value of every item (None when skipped)."""
    return {item.id: getattr(form, field_name(item)).data for item in items}


NOTHING_ANSWERED = _l("Please answer at least one question.")
