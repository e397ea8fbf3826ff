"""The schedule form (validation only; it never queries the database)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Regexp

from survey.cadence.plan import PERIODS


class ScheduleForm(FlaskForm):
    """When rounds open, how long they stay open and when reminders go out."""

    enabled = BooleanField(_l("Run the survey on this schedule"))
    every_months = SelectField(_l("A round every"), coerce=int,
                               choices=[SelectChoice(n, _l("%(n)s months", n=n)) for n in PERIODS])
    first_month = IntegerField(_l("Starting from month (1–12)"),
                               validators=[InputRequired(), NumberRange(1, 12)])
    open_on = IntegerField(_l("Opens on working day of the month"),
                           validators=[InputRequired(), NumberRange(1, 15)])
    open_days = IntegerField(_l("Open for working days"),
                             validators=[InputRequired(), NumberRange(2, 40)])
    reminders = StringField(
        _l("Reminders on working days of the round"),
        validators=[Regexp(r"^\s*(\d{1,2}\s*(,\s*\d{1,2}\s*)*)?$",
                           message=_l("Write day numbers separated by commas, e.g. 5, 8."))])
    survey = SelectField(_l("Survey"), coerce=str)

    def reminder_days(self) -> tuple[int, ...]:
        """The reminder days as numbers (the field's pattern has been checked)."""
        return tuple(sorted({int(p) for p in (self.reminders.data or "").split(",") if p.strip()}))
