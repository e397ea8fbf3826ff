"""Accounts in the browser: admins invite, deactivate and reset; everyone changes their password.

A unit head is invited with the units they head (names as in the roster, one per line), and an
admin can change those units later.

An invitation or reset shows the admin a single-use access link (and mails it when a mail
server is configured); its holder sets a password with it.  Deactivation and reset ask first.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from survey import audit
from survey.admin.confirm import ask, confirmed
from survey.auth import links
from survey.auth.access import roles_required
from survey.auth.forms import ChangePasswordForm, InviteForm, SetPasswordForm, UnitsForm
from survey.auth.messages import account_message
from survey.auth.services import (
    AccountError,
    all_users,
    change_password,
    check_units,
    invite_user,
    reset_access,
    set_active,
    set_password,
)
from survey.db import begin_write, db
from survey.errors import render_error
from survey.mail.compose import compose_access_link
from survey.mail.smtp import send_one
from survey.models import Role, User
from survey.units.messages import unit_message
from survey.units.paths import path_text, split_names, unit_label
from survey.units.services import UnitError, assign_units, resolve_units, units_of

bp = Blueprint("accounts", __name__)
admin_only = roles_required(Role.ADMIN)


def _actor() -> tuple[str, int]:
    return (str(current_user.role), int(current_user.id))


@bp.route("/admin/accounts", methods=["GET", "POST"])
@admin_only
def index() -> str | tuple[str, int]:
    """Every account with its role and state; the form invites a new one."""
    form = _invite_form()
    if form.validate_on_submit():
        begin_write(db.session)
        names = split_names(form.units.data or "")
        try:
            check_units(form.role.data or "", names)
            paths = resolve_units(db.session, names)
            user = invite_user(db.session, form.email.data or "", form.role.data or "")
        except AccountError as error:
            db.session.rollback()
            field = form.units if error.code.startswith("units") else form.email
            field.errors.append(account_message(error))
        except UnitError as error:
            db.session.rollback()
            form.units.errors.append(unit_message(error))
        else:
            db.session.flush()
            assign_units(db.session, user, paths)
            audit.record(db.session, "account_invited", *_actor(), email=user.email,
                         granted=str(user.role), units=[unit_label(p) for p in paths])
            db.session.commit()
            return _access_link_page(user, invited=True)
    return _accounts_page(form)


def _accounts_page(form: InviteForm) -> tuple[str, int]:
    users = all_users(db.session)
    units = {user.id: units_of(db.session, user) for user in users}
    return render_template("admin/accounts.html", form=form, users=users, units=units,
                           unit_label=unit_label), 400 if form.errors else 200


@bp.route("/admin/accounts/<int:user_id>/units", methods=["GET", "POST"])
@admin_only
def units(user_id: int) -> str | WerkzeugResponse | tuple[str, int]:
    """Change the units a unit head heads."""
    user = db.get_or_404(User, user_id)
    if user.role != Role.UNIT_HEAD:
        abort(404)
    form = UnitsForm(data={"units": "\n".join(path_text(p) for p in units_of(db.session, user))})
    if form.validate_on_submit():
        begin_write(db.session)
        user = db.get_or_404(User, user_id)
        try:
            paths = resolve_units(db.session, split_names(form.units.data or ""))
        except UnitError as error:
            db.session.rollback()
            form.units.errors.append(unit_message(error))
        else:
            assign_units(db.session, user, paths)
            audit.record(db.session, "account_units_changed", *_actor(), email=user.email,
                         units=[unit_label(p) for p in paths])
            db.session.commit()
            flash(_("The units of %(email)s are saved.", email=user.email), "success")
            return redirect(url_for("accounts.index"))
    return render_template("admin/account_units.html", form=form, user=user), (
        400 if form.errors else 200)


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.role.choices = [SelectChoice(role.value, _role_name(role)) for role in Role]
    return form


def _role_name(role: Role) -> str:
    from survey.templating import role_label

    return role_label(role.value)


def _access_link_page(user: User, invited: bool) -> str:
    """Show the access link to the admin; mail it too when a mail server is configured."""
    link = url_for("accounts.set_password_view", token=links.make_token(
        current_app.config["SECRET_KEY"], user), _external=False)
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + link
    mailed = False
    if current_app.config.get("MAIL_SERVER"):
        mailed = send_one(current_app.config, compose_access_link(
            current_app.config["MAIL_FROM"], user.email, link, invited))
    return render_template("admin/access_link.html", user=user, link=link, mailed=mailed,
                           invited=invited)


@bp.post("/admin/accounts/<int:user_id>/active")
@admin_only
def toggle_active(user_id: int) -> ResponseReturnValue:
    """Deactivate (asks first) or reactivate an account."""
    begin_write(db.session)
    user = db.get_or_404(User, user_id)
    if user.active and not confirmed():
        db.session.rollback()
        return ask(_("Deactivate %(email)s?", email=user.email), [
            _("The account can no longer sign in; a session open now ends at its next page."),
            _("Nothing is deleted: you can reactivate the account later."),
        ], _("Deactivate"), url_for("accounts.index"), danger=True)
    try:
        set_active(db.session, user, not user.active, int(current_user.id))
    except AccountError as error:
        db.session.rollback()
        flash(account_message(error), "error")
        return redirect(url_for("accounts.index"))
    audit.record(db.session, "account_activated" if user.active else "account_deactivated",
                 *_actor(), email=user.email)
    db.session.commit()
    return redirect(url_for("accounts.index"))


@bp.post("/admin/accounts/<int:user_id>/reset")
@admin_only
def reset(user_id: int) -> ResponseReturnValue:
    """Reset an account's access (asks first): its password stops working, a new link is made."""
    begin_write(db.session)
    user = db.get_or_404(User, user_id)
    if not confirmed():
        db.session.rollback()
        return ask(_("Reset access for %(email)s?", email=user.email), [
            _("The current password stops working at once."),
            _("You get a single-use link with which its holder sets a new password."),
        ], _("Reset access"), url_for("accounts.index"), danger=True)
    reset_access(db.session, user)
    audit.record(db.session, "access_reset", *_actor(), email=user.email)
    db.session.commit()
    return _access_link_page(user, invited=False)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_view() -> ResponseReturnValue:
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        begin_write(db.session)
        user = db.session.get_one(User, int(current_user.id))
        try:
            change_password(db.session, user, form.current.data or "", form.password.data or "")
        except AccountError as error:
            db.session.rollback()
            field = form.current if error.code == "wrong_password" else form.password
            field.errors.append(account_message(error))
        else:
            audit.record(db.session, "password_changed", *_actor())
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.change_password_view"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/account/set/<token>", methods=["GET", "POST"])
def set_password_view(token: str) -> ResponseReturnValue:
    """Set a password with an access link (no sign-in: the link is the credential, once)."""
    found = links.read_token(current_app.config["SECRET_KEY"], token)
    user = db.session.get(User, found[0]) if found else None
    if found is None or user is None or not links.matches(user, found[1]):
        return render_error(404, _("This link no longer works: it was used, it expired or a "
                                   "newer one replaced it. Ask an administrator for a new one."))
    form = SetPasswordForm()
    if form.validate_on_submit():
        begin_write(db.session)
        try:
            set_password(db.session, user, form.password.data or "")
        except AccountError as error:
            db.session.rollback()
            form.password.errors.append(account_message(error))
        else:
            db.session.commit()
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, email=user.email), (
        400 if form.errors else 200)
