"""One's own two-factor sign-in: set it up (QR code, secret, first code), see it, switch it off.

The set-up shows the secret as a QR code and as text and switches the factor on only when a
code from the app confirms it; the recovery codes are then shown once, in that response, and
stored only as keyed hashes.  Switching off takes the password and a code.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from survey import audit
from survey.db import begin_write, db
from survey.models import User
from survey.qr import qr_svg
from survey.twofactor.forms import ConfirmForm, DisableForm, StartForm
from survey.twofactor.messages import twofactor_message
from survey.twofactor.requirement import required_roles
from survey.twofactor.services import (
    TwoFactorError,
    confirm_enrolment,
    confirmed_factor,
    disable,
    pending_secret,
    provisioning_uri,
    remaining_recovery_codes,
    start_enrolment,
)

bp = Blueprint("twofactor", __name__, url_prefix="/account/two-factor")


def _me() -> User:
    return db.session.get_one(User, int(current_user.id))


def _key() -> str:
    return str(current_app.config["TWOFACTOR_KEY"])


def _switch(endpoint: str) -> str:
    """The same page in the other language, for pages that answer a POST."""
    return url_for(endpoint, lang="en" if str(get_locale()) == "ja" else "ja")


def _actor() -> tuple[str, int]:
    return (str(current_user.role), int(current_user.id))


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    """Whether two-factor sign-in is on; the button to set it up or the form to switch it off."""
    factor = confirmed_factor(db.session, int(current_user.id))
    return render_template(
        "twofactor/index.html", factor=factor, start=StartForm(), form=DisableForm(),
        left=remaining_recovery_codes(db.session, factor.user_id) if factor else 0,
        required=_required())


def _required() -> bool:
    """Whether the organisation requires a second factor for the signed-in account's role."""
    return str(current_user.role) in required_roles(db.session)


@bp.post("/setup")
@login_required
def start() -> ResponseReturnValue:
    """Make a new secret (replacing an unconfirmed one) and show it."""
    if not StartForm().validate_on_submit():
        return redirect(url_for("twofactor.index"))
    begin_write(db.session)
    try:
        start_enrolment(db.session, _me(), _key())
    except TwoFactorError as error:
        db.session.rollback()
        flash(twofactor_message(error), "error")
        return redirect(url_for("twofactor.index"))
    db.session.commit()
    return redirect(url_for("twofactor.setup"))


@bp.route("/setup", methods=["GET"])
@login_required
def setup() -> ResponseReturnValue:
    """The QR code and the secret as text, with the form for the first code."""
    return _setup_page(ConfirmForm())


def _setup_page(form: ConfirmForm) -> ResponseReturnValue:
    user = _me()
    secret = pending_secret(db.session, user, _key())
    if secret is None:
        return redirect(url_for("twofactor.index"))
    groups = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("twofactor/setup.html", form=form, secret=groups,
                           qr=qr_svg(provisioning_uri(secret, user.email), scalable=True),
                           language_url=_switch("twofactor.setup")), (
        400 if form.errors else 200)


@bp.post("/confirm")
@login_required
def confirm() -> ResponseReturnValue:
    """Switch the factor on with a first code; show the recovery codes once."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _setup_page(form)
    begin_write(db.session)
    try:
        codes = confirm_enrolment(db.session, _me(), _key(), form.code.data or "")
    except TwoFactorError as error:
        db.session.rollback()
        if error.code == "not_enrolling":
            flash(twofactor_message(error), "error")
            return redirect(url_for("twofactor.index"))
        form.code.errors.append(twofactor_message(error))
        return _setup_page(form)
    audit.record(db.session, "twofactor_enabled", *_actor())
    db.session.commit()
    return render_template("twofactor/recovery_codes.html", codes=codes, language_url=None)


@bp.post("/disable")
@login_required
def switch_off() -> ResponseReturnValue:
    """Switch two-factor sign-in off with the password and a code."""
    if _required():  # the page offers no such form then; a crafted post is told why
        flash(twofactor_message(TwoFactorError("required")), "error")
        return redirect(url_for("twofactor.index"))
    form = DisableForm()
    if form.validate_on_submit():
        begin_write(db.session)
        try:
            disable(db.session, _me(), _key(), form.password.data or "", form.code.data or "")
        except TwoFactorError as error:
            db.session.rollback()
            field = form.password if error.code == "wrong_password" else form.code
            field.errors.append(twofactor_message(error))
        else:
            audit.record(db.session, "twofactor_disabled", *_actor())
            db.session.commit()
            flash(_("Two-factor sign-in is off: your password alone signs you in."), "success")
            return redirect(url_for("twofactor.index"))
    factor = confirmed_factor(db.session, int(current_user.id))
    if factor is None:
        return redirect(url_for("twofactor.index"))
    return render_template("twofactor/index.html", factor=factor, start=StartForm(), form=form,
                           left=remaining_recovery_codes(db.session, factor.user_id),
                           required=False, language_url=_switch("twofactor.index")), 400
