"""The schedule page: set the cadence, see what the schedule did and what comes next."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey import audit
from survey.auth.access import roles_required
from survey.cadence.forms import ScheduleForm
from survey.cadence.messages import schedule_message
from survey.cadence.plan import Schedule, ScheduleError, validate
from survey.cadence.services import load_schedule, recent_runs, save_schedule, upcoming
from survey.db import begin_write, db
from survey.models import Role, Survey
from survey.waves.services import today

bp = Blueprint("schedule", __name__, url_prefix="/admin/schedule")

#: The form field each :class:`ScheduleError` code concerns.
_FIELD_OF = {"invalid_period": "every_months", "invalid_month": "first_month",
             "invalid_open_on": "open_on", "invalid_open_days": "open_days",
             "invalid_reminder": "reminders"}


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit() -> ResponseReturnValue:
    """The schedule, what ran and what is next; saving changes the schedule."""
    current = load_schedule(db.session)
    form = _form(current)
    if form.validate_on_submit():
        begin_write(db.session)
        try:
            chosen = validate(_chosen(form, current))
        except ScheduleError as error:
            db.session.rollback()
            getattr(form, _FIELD_OF[error.code]).errors.append(schedule_message(error))
        else:
            save_schedule(db.session, chosen)
            audit.record(db.session, "schedule_changed", str(current_user.role),
                         int(current_user.id), enabled=chosen.enabled)
            db.session.commit()
            flash(_("Schedule saved."), "success")
            return redirect(url_for("schedule.edit"))
    page = render_template("admin/schedule.html", form=form, schedule=current,
                           upcoming=upcoming(db.session, current, today()),
                           runs=recent_runs(db.session))
    return page, 400 if form.errors else 200


def _form(current: Schedule) -> ScheduleForm:
    data = dataclasses.asdict(current)
    data["reminders"] = ", ".join(str(day) for day in current.reminders)
    data["survey"] = current.survey or ""
    form = ScheduleForm(data=data)
    surveys = db.session.scalars(select(Survey).order_by(Survey.is_default.desc(), Survey.name))
    form.survey.choices = [SelectChoice("", _("The default survey"))] + [
        SelectChoice(s.name, s.name) for s in surveys]
    return form


def _chosen(form: ScheduleForm, current: Schedule) -> Schedule:
    """The schedule entered; rounds count from the day it was switched on."""
    since = current.since if current.enabled and current.since else today()
    return Schedule(enabled=form.enabled.data, every_months=form.every_months.data,
                    first_month=form.first_month.data, open_on=form.open_on.data,
                    open_days=form.open_days.data, reminders=form.reminder_days(),
                    since=since, survey=form.survey.data or None)
