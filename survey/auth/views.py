"""Login and logout."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from survey import ratelimit
from survey.auth.forms import LoginForm
from survey.auth.services import authenticate, remember_language
from survey.auth.sessions import revoke_sessions
from survey.db import begin_write, db
from survey.extensions import limiter
from survey.models import Role

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
        if user is not None:
            begin_write(db.session)
            remember_language(db.session, user, str(get_locale() or "ja"))
            db.session.commit()
            login_user(user)
            return redirect(_safe_next() or home_url())
        flash(_("E-mail or password is wrong."), "error")
    return render_template("auth/login.html", form=form)


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
