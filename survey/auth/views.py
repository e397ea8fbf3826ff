"""Login (password, then a code for an account with two-factor sign-in) and logout."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from survey import audit, ratelimit
from survey.auth.forms import LoginForm
from survey.auth.oidc_settings import password_sign_in_allowed
from survey.auth.services import authenticate, remember_language
from survey.auth.sessions import revoke_sessions
from survey.db import begin_write, db
from survey.extensions import limiter
from survey.models import Role, User
from survey.twofactor import pending
from survey.twofactor.forms import SignInCodeForm
from survey.twofactor.messages import twofactor_message
from survey.twofactor.services import (
    Proof,
    TwoFactorError,
    confirmed_factor,
    remaining_recovery_codes,
    verify,
)

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN: "admin.home",
    Role.LEADERSHIP: "reports.home",
    Role.HR: "hr.home",
    Role.UNIT_HEAD: "reports.home",
}


def home_url() -> str:
    """Where a signed-in account lands."""
    return url_for(HOME_BY_ROLE[Role(current_user.role)])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ratelimit.login_limit, methods=["POST"])
@limiter.limit(ratelimit.account_limit, methods=["POST"], key_func=ratelimit.account_key,
               deduct_when=ratelimit.failed)
def login() -> ResponseReturnValue:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None and not password_sign_in_allowed(user):  # OIDC_ONLY
            flash(_("Your organisation signs in through its own account service: use the "
                    "button above."), "error")
            return render_template("auth/login.html", form=form)
        if user is not None and confirmed_factor(db.session, user.id) is not None:
            pending.begin(user, _safe_next())
            return redirect(url_for("auth.second_step"))
        if user is not None:
            return _signed_in(user, _safe_next())
        flash(_("E-mail or password is wrong."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(ratelimit.login_limit, methods=["POST"])
@limiter.limit(ratelimit.account_limit, methods=["POST"], key_func=pending.limit_key,
               deduct_when=ratelimit.failed)
def second_step() -> ResponseReturnValue:
    """Second step of signing in: the code from the app (or a recovery code)."""
    waiting = pending.waiting(db.session)
    factor = confirmed_factor(db.session, waiting[0].id) if waiting else None
    if waiting is None or factor is None:
        pending.end()
        flash(_("Sign in again: the code was not entered within a few minutes, or you left "
                "the sign-in."), "info")
        return redirect(url_for("auth.login"))
    user, next_url = waiting
    form = SignInCodeForm()
    if form.validate_on_submit():
        begin_write(db.session)
        proof = verify(db.session, factor, current_app.config["TWOFACTOR_KEY"],
                       form.code.data or "")
        if proof is not None:
            pending.end()
            if proof is Proof.RECOVERY:
                return _signed_in_with_recovery_code(user, next_url)
            return _signed_in(user, next_url)
        db.session.rollback()
        form.code.errors.append(twofactor_message(TwoFactorError("wrong_code")))
    return render_template("auth/second_step.html", form=form), 400 if form.errors else 200


def _signed_in(user: User, next_url: str | None) -> ResponseReturnValue:
    """Start the account's session (the caller's write transaction, if any, commits here)."""
    begin_write(db.session)
    remember_language(db.session, user, str(get_locale() or "ja"))
    db.session.commit()
    login_user(user)
    return redirect(next_url or home_url())


def _signed_in_with_recovery_code(user: User, next_url: str) -> ResponseReturnValue:
    left = remaining_recovery_codes(db.session, user.id)
    audit.record(db.session, "twofactor_recovery_used", str(user.role), user.id, left=left)
    flash(_("You signed in with a recovery code; it cannot be used again. %(n)s recovery "
            "codes are left.", n=left), "info" if left > 2 else "error")
    return _signed_in(user, next_url)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out (POST, so it is CSRF-protected): every session of the account ends."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        begin_write(db.session)
        revoke_sessions(db.session, user)
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


#: Backslashes, whitespace and control characters: browsers turn "/\\host" and "/\t/host" into
#: "//host", another site.
_UNSAFE_IN_NEXT = re.compile(r"[\\\s\x00-\x1f\x7f]")


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//") or _UNSAFE_IN_NEXT.search(target):
        return None
    return target
