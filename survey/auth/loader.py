"""Flask-Login wiring: load the account for a session, send strangers to the login page."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from survey.auth.sessions import init_sessions, parse_user_id
from survey.db import db
from survey.extensions import login_manager
from survey.models import User
from survey.twofactor.pending import init_pending
from survey.twofactor.requirement import init_requirement


def init_login(app: Flask) -> None:
    """Bind Flask-Login to the app with naranu's login view and messages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    init_sessions(app)
    init_pending(app)
    init_requirement(app)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The account stored in the session, if it is active and the session was not revoked."""
    parsed = parse_user_id(user_id)
    if parsed is None:
        return None
    account, version = parsed
    user = db.session.get(User, account)
    if user is None or not user.active or user.session_version != version:
        return None
    return user
