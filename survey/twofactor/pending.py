"""The half-signed-in state between a correct password and a correct second factor.

After the password, the session holds only *which* account is waiting for its code (id and
session version), since when, and where to go afterwards — not Flask-Login's user id, so every
protected page still sees a stranger.  The state ends when the code is accepted, after
``TWOFACTOR_PENDING_SECONDS`` (five minutes by default), when the account's sessions are
revoked (the version changes), and as soon as the browser asks for any other page: it is good
for that one step and nothing else.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request, session

from survey.db import DbSession
from survey.models import User

PENDING = "_twofactor_pending"
#: The only endpoint the pending state survives (with static files and unknown addresses, such
#: as the browser's own favicon request).
STEP_ENDPOINT = "auth.second_step"


def begin(user: User, next_url: str | None) -> None:
    """Remember that ``user`` gave the right password and now owes a code."""
    session[PENDING] = {"user": user.id, "version": user.session_version,
                        "at": int(time.time()), "next": next_url or ""}


def waiting(db_session: DbSession) -> tuple[User, str] | None:
    """The account waiting for its code and where it goes next, or None (and the state ends)."""
    state = session.get(PENDING)
    if not isinstance(state, dict):
        return None
    user = db_session.get(User, state.get("user")) if isinstance(state.get("user"), int) else None
    started = state.get("at")
    if (user is None or not user.active or user.session_version != state.get("version")
            or not isinstance(started, int)
            or time.time() - started > current_app.config["TWOFACTOR_PENDING_SECONDS"]):
        end()
        return None
    return user, str(state.get("next") or "")


def end() -> None:
    """Forget the pending state."""
    session.pop(PENDING, None)


def limit_key() -> str:
    """The rate-limit key of the code step: the waiting account (as the password step's is)."""
    state = session.get(PENDING)
    account = state.get("user") if isinstance(state, dict) else None
    return f"twofactor:{account}"


def _drop_elsewhere() -> None:
    """``before_request`` hook: any other page ends the pending state."""
    if PENDING in session and request.endpoint not in (None, "static", STEP_ENDPOINT):
        end()


def init_pending(app: Flask) -> None:
    """Install the hook that keeps the pending state to its one step."""
    app.before_request(_drop_elsewhere)
