"""Plan forms (validation only; the view sets the choices, services check the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from survey.fields import CheckboxList, IsoDateField

DATE_REQUIRED = InputRequired(message=_l("Enter a date as YYYY-MM-DD."))


class PlanForm(FlaskForm):
    """A plan's unit, principles, what, by whom and when."""

    unit = SelectField(_l("Unit"))
    principles = CheckboxList(
        _l("Principles it addresses"),
        validators=[DataRequired(message=_l("Choose at least one principle."))])
    title = StringField(_l("What will be done (short)"), validators=[
        DataRequired(message=_l("Describe the action in a few words.")), Length(max=200)])
    details = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=4000)])
    owner = StringField(_l("By whom (a role, not a name)"), validators=[
        DataRequired(message=_l("Say which role carries it out, e.g. 課長.")), Length(max=120)])
    starts_on = IsoDateField(_l("Starts on"), validators=[DATE_REQUIRED])
    due_on = IsoDateField(_l("Done by (optional)"), validators=[Optional()])


class UpdateForm(FlaskForm):
    """A dated status update with a note."""

    status = SelectField(_l("Status"))
    on = IsoDateField(_l("Date"), validators=[DATE_REQUIRED])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
