"""Leadership forms (validation only; they never query the database)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CheckboxesField(SelectMultipleField):
    """Several choices shown as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DayField(DateField):
    """A ``YYYY-MM-DD`` date whose parse error says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the date; a malformed one names the format, an impossible one says so."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            text = (valuelist or [""])[0].strip()
            if DATE_SHAPE.match(text):
                raise ValueError(str(_l("There is no such date."))) from error
            raise ValueError(str(_l("Enter a date as YYYY-MM-DD."))) from error


class InterventionForm(FlaskForm):
    """A dated action for one or more principles; choices are set by the view."""

    on = DayField(_l("Date of the action"),
                   validators=[InputRequired(message=_l("Enter a date as YYYY-MM-DD."))])
    principles = CheckboxesField(
        _l("Principles it addresses"),
        validators=[DataRequired(message=_l("Choose at least one principle."))])
    text = StringField(_l("What was done (short)"),
                       validators=[DataRequired(message=_l("Describe the action in a few words.")),
                                   Length(max=200)])
