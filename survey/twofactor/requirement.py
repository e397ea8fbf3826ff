"""An organisation's rule that some roles must use two-factor sign-in.

Administrators choose the roles (stored as the ``twofactor_required_roles`` setting).  A
signed-in account of such a role without a confirmed second factor reaches only the set-up
pages and sign-out: every other request is sent to the set-up page, so the rule cannot be
skipped by typing an address.  Nobody is locked out: the set-up needs only the session.
"""

from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.db import DbSession, db
from survey.models import Role
from survey.org_settings import get_setting, put_setting
from survey.twofactor.services import TwoFactorError, confirmed_factor

SETTING = "twofactor_required_roles"
#: What an account that still owes its second factor may reach.
SETUP_ENDPOINTS = frozenset({"twofactor.index", "twofactor.start", "twofactor.setup",
                             "twofactor.confirm", "auth.logout", "static"})


def required_roles(session: DbSession) -> frozenset[str]:
    """The roles that must sign in with a second factor."""
    return frozenset(get_setting(session, SETTING, []))


def set_required_roles(session: DbSession, roles: list[str]) -> None:
    """Store the roles (the caller commits); an unknown role is refused."""
    known = {role.value for role in Role}
    if not set(roles) <= known:
        raise TwoFactorError("invalid_role")
    put_setting(session, SETTING, sorted(set(roles)))


def owes_second_factor(session: DbSession, user_id: int, role: str) -> bool:
    """Whether the account's role requires a second factor that it has not set up."""
    return role in required_roles(session) and confirmed_factor(session, user_id) is None


def _enforce() -> Response | None:
    """``before_request`` hook: send an account that owes its second factor to the set-up."""
    if "_user_id" not in session or request.endpoint in SETUP_ENDPOINTS:
        return None
    if request.endpoint is None or not current_user.is_authenticated:
        return None
    if not owes_second_factor(db.session, int(current_user.id), str(current_user.role)):
        return None
    flash(_("Your organisation requires two-factor sign-in for your role. Set it up to "
            "continue."), "info")
    return redirect(url_for("twofactor.index"))


def init_requirement(app: Flask) -> None:
    """Install the hook (after the session checks, so an ended session is not redirected)."""
    app.before_request(_enforce)
