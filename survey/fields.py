"""Form fields more than one feature needs (reports' forms can import them too; survey never
imports reports)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CheckboxList(SelectMultipleField):
    """Several choices as check boxes (easier on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IsoDateField(DateField):
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
