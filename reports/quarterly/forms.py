"""Leadership forms (validation only; they never query the database)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from survey.fields import CheckboxList, IsoDateField


class InterventionForm(FlaskForm):
    """A dated action for one or more principles; choices are set by the view."""

    on = IsoDateField(_l("Date of the action"),
                   validators=[InputRequired(message=_l("Enter a date as YYYY-MM-DD."))])
    principles = CheckboxList(
        _l("Principles it addresses"),
        validators=[DataRequired(message=_l("Choose at least one principle."))])
    text = StringField(_l("What was done (short)"),
                       validators=[DataRequired(message=_l("Describe the action in a few words.")),
                                   Length(max=200)])
