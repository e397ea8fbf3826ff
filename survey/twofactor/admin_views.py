"""The organisation's two-factor rule: which roles must sign in with a second factor."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from survey import audit
from survey.auth.access import roles_required
from survey.db import begin_write, db
from survey.models import Role
from survey.twofactor.forms import RequiredRolesForm
from survey.twofactor.requirement import required_roles, set_required_roles

bp = Blueprint("twofactor_admin", __name__)


@bp.route("/admin/two-factor", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def required() -> ResponseReturnValue:
    """Choose the roles that must use two-factor sign-in."""
    from survey.templating import role_label

    current = sorted(required_roles(db.session))
    form = RequiredRolesForm(data={"roles": current})
    form.roles.choices = [SelectChoice(role.value, role_label(role.value)) for role in Role]
    if form.validate_on_submit():
        chosen = sorted(set(form.roles.data or []))
        if chosen == current:
            flash(_("Nothing was changed."), "info")
            return redirect(url_for("twofactor_admin.required"))
        begin_write(db.session)
        set_required_roles(db.session, chosen)
        audit.record(db.session, "twofactor_requirement_changed", str(current_user.role),
                     int(current_user.id), roles=chosen)
        db.session.commit()
        flash(_("Saved. Accounts of the chosen roles set up two-factor sign-in at their next "
                "page."), "success")
        return redirect(url_for("twofactor_admin.required"))
    return render_template("twofactor/required.html", form=form), 400 if form.errors else 200
