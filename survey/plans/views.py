"""Action plan pages: the list, a plan with its history, new, edit and status updates."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from survey.auth.access import roles_required
from survey.db import begin_write, db
from survey.i18n import localized
from survey.models import Role, User
from survey.plans.forms import PlanForm, UpdateForm
from survey.plans.labels import plan_status_label, plan_unit_label
from survey.plans.messages import plan_message
from survey.plans.models import ActionPlan, PlanStatus
from survey.plans.services import (
    PlanError,
    PlanInput,
    add_update,
    create_plan,
    edit_plan,
    keeps,
    plan_or_none,
    plan_units,
    visible_plans,
)
from survey.principles.services import ordered_principles
from survey.units.paths import unit_key, unit_of_key
from survey.waves.services import today

bp = Blueprint("plans", __name__)
plan_roles = roles_required(Role.LEADERSHIP, Role.ADMIN, Role.UNIT_HEAD)


def _user() -> User:
    """The signed-in account as a row of this request's session (services query with it)."""
    return db.get_or_404(User, int(current_user.id))


@bp.get("/plans")
@plan_roles
def index() -> str:
    """The plans the account may read, newest first."""
    user = _user()
    return render_template("plans/index.html", plans=visible_plans(db.session, user),
                           may_create=bool(plan_units(db.session, user)),
                           **_words())


@bp.route("/plans/new", methods=["GET", "POST"])
@plan_roles
def new() -> str | Response | tuple[str, int]:
    """A new plan for a unit the account keeps."""
    user = _user()
    form = _plan_form(user, PlanForm(data={"starts_on": today()}))
    if not form.unit.choices:
        abort(403)
    return _save(form, None, lambda writer: create_plan(db.session, writer, _input(form)))


@bp.get("/plans/<int:plan_id>")
@plan_roles
def show(plan_id: int) -> str:
    """A plan with its dated history, and the update form for those who keep it."""
    user = _user()
    plan = _readable(user, plan_id)
    form = _update_form(UpdateForm(data={"on": today(), "status": plan.status}))
    return render_template("plans/show.html", plan=plan, form=form,
                           may_keep=keeps(db.session, user, unit_of_key(plan.unit)), **_words())


@bp.post("/plans/<int:plan_id>/updates")
@plan_roles
def update(plan_id: int) -> str | Response | tuple[str, int]:
    """Record a dated status update."""
    user = _user()
    plan = _kept(user, plan_id)
    form = _update_form(UpdateForm())
    if form.validate_on_submit():
        begin_write(db.session)
        plan = _kept(_user(), plan_id)
        add_update(db.session, _user(), plan, form.on.data, PlanStatus(form.status.data),
                   form.note.data or "")
        db.session.commit()
        flash(_("Update recorded."), "success")
        return redirect(url_for("plans.show", plan_id=plan_id))
    return render_template("plans/show.html", plan=plan, form=form, may_keep=True,
                           **_words()), 400


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@plan_roles
def edit(plan_id: int) -> str | Response | tuple[str, int]:
    """Change what a plan says (its unit, principles, action, role and dates)."""
    user = _user()
    plan = _kept(user, plan_id)
    form = _plan_form(user, PlanForm(obj=plan, data=_plan_data(plan)), current=plan)

    def write(writer: User) -> ActionPlan:
        kept = _kept(writer, plan_id)  # again, inside the write transaction
        edit_plan(db.session, writer, kept, _input(form))
        return kept

    return _save(form, plan, write)


def _save(form: PlanForm, plan: ActionPlan | None,
          write: Callable[[User], ActionPlan]) -> Response | tuple[str, int]:
    """Validate → write in one transaction → show the plan; the form again with the reason."""
    if form.validate_on_submit():
        begin_write(db.session)
        try:
            saved = write(_user())
        except PlanError as error:
            db.session.rollback()
            form.title.errors.append(plan_message(error))
        else:
            db.session.commit()
            flash(_("Plan saved."), "success")
            return redirect(url_for("plans.show", plan_id=saved.id))
    return render_template("plans/edit.html", form=form, plan=plan), 400 if form.errors else 200


def _readable(user: User, plan_id: int) -> ActionPlan:
    """The plan, or 404 when it does not exist or belongs to a unit the account does not head."""
    plan = plan_or_none(db.session, user, plan_id)
    if plan is None:
        abort(404)
    return plan


def _kept(user: User, plan_id: int) -> ActionPlan:
    """The plan, 404 as :func:`_readable`, 403 when the account may read it but not keep it."""
    plan = _readable(user, plan_id)
    if not keeps(db.session, user, unit_of_key(plan.unit)):
        abort(403)
    return plan


def _plan_form(user: User, form: PlanForm, current: ActionPlan | None = None) -> PlanForm:
    units = plan_units(db.session, user)
    if current is not None and unit_of_key(current.unit) not in units:
        units = [unit_of_key(current.unit), *units]  # a unit that has left the roster since
    form.unit.choices = [SelectChoice(unit_key(u), plan_unit_label(u)) for u in units]
    chosen = {p.code for p in current.principles} if current is not None else set()
    form.principles.choices = [SelectChoice(p.code, localized(p.title_ja, p.title_en))
                               for p in ordered_principles(db.session, active_only=False)
                               if p.active or p.code in chosen]
    return form


def _plan_data(plan: ActionPlan) -> dict[str, object]:
    return {"unit": plan.unit, "principles": [p.code for p in plan.principles]}


def _update_form(form: UpdateForm) -> UpdateForm:
    form.status.choices = [SelectChoice(s.value, plan_status_label(s)) for s in PlanStatus]
    return form


def _input(form: PlanForm) -> PlanInput:
    return PlanInput(unit=unit_of_key(form.unit.data or "[]"),
                     principles=tuple(form.principles.data or ()), title=form.title.data or "",
                     owner=form.owner.data or "", starts_on=form.starts_on.data,
                     due_on=form.due_on.data, details=form.details.data or "")


def _words() -> dict[str, object]:
    """Label helpers every plan page uses."""
    titles = {p.code: localized(p.title_ja, p.title_en)
              for p in ordered_principles(db.session, active_only=False)}
    return {"titles": titles, "unit_name": lambda key: plan_unit_label(unit_of_key(key)),
            "plan_status": plan_status_label}

