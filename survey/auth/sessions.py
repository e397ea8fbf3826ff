"""Sessions that end: on sign-out, after idle time, after an absolute lifetime, on revocation.

The session is Flask's signed cookie, so the server keeps no list of sessions to delete.
Instead the account's ``session_version`` is part of the user id inside every cookie
(``User.get_id``): signing out, or ``flask --app app revoke-sessions EMAIL``, raises it, and
every cookie issued before — on this browser or any other, copied or stolen — stops loading
the account.  The cookie also carries when the session began and when it was last used;
a session idle longer than ``SESSION_IDLE_MINUTES`` or older than ``SESSION_MAX_HOURS`` is
ended by :func:`enforce_session_limits` before any view runs.  Those times are signed with
the cookie, so a client cannot extend them; it can only fail to send them.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, session
from flask_babel import gettext as _
from flask_login import logout_user, user_logged_in
from sqlalchemy import select

from survey.db import DbSession
from survey.models import User

ISSUED = "_issued"
SEEN = "_seen"
#: The last-use time is rewritten at most this often, so a page's many requests set no cookie.
SEEN_GRANULARITY = 60


def revoke_sessions(session: DbSession, user: User) -> None:
    """End every session of ``user`` (the caller commits)."""
    user.session_version = (user.session_version or 0) + 1


def account_by_email(session: DbSession, email: str) -> User | None:
    """The account with this e-mail address (any case), active or not."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def parse_user_id(user_id: str) -> tuple[int, int] | None:
    """``"12:3"`` → (12, 3); anything else (an old or forged id) → None."""
    account, _colon, version = user_id.partition(":")
    if not (account.isdigit() and version.isdigit()):
        return None
    return int(account), int(version)


def _start(_app: Flask, user: User, **_extra: object) -> None:
    """``user_logged_in`` signal: the session's clock starts now."""
    now = int(time.time())
    session[ISSUED] = session[SEEN] = now


def enforce_session_limits() -> None:
    """``before_request`` hook: end a signed-in session past its idle time or lifetime."""
    if "_user_id" not in session:  # `in` does not mark the session as used (no Vary: Cookie)
        return
    now = int(time.time())
    issued, seen = session.get(ISSUED), session.get(SEEN)
    config = current_app.config
    if (not isinstance(issued, int) or not isinstance(seen, int)
            or now - seen > config["SESSION_IDLE_MINUTES"] * 60
            or now - issued > config["SESSION_MAX_HOURS"] * 3600):
        logout_user()
        for key in (ISSUED, SEEN):
            session.pop(key, None)
        flash(_("Your session has ended. Please sign in again."), "info")
        return
    if now - seen >= SEEN_GRANULARITY:
        session[SEEN] = now


def init_sessions(app: Flask) -> None:
    """Start the clock at sign-in and check it on every request."""
    user_logged_in.connect(_start, app)
    app.before_request(enforce_session_limits)
