"""Friendly error pages in the user's language; no stack trace ever reaches a user."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.db import db
from survey.outages import Cause, cause_of, install_read_retry, log_outage, retry_after

_MESSAGES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Please sign in to see this page."),
    403: lambda: _("Your account may not see this page."),
    404: lambda: _("This page does not exist."),
    405: lambda: _("This page does not accept that kind of request."),
    413: lambda: _("The upload is too large."),
    429: lambda: _("Too many attempts. Please wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Nothing was saved; please try again."),
}


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    """The error page for ``status`` with a localized explanation."""
    text = message or _MESSAGES.get(status, _MESSAGES[500])()
    return render_template("error.html", status=status, message=text), status


def init_errors(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> tuple[str, int]:
        return render_error(
            400, _("The form expired or was not sent from this site. Please reload and retry.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        db.session.rollback()
        cause = cause_of(error)
        if cause is not None:
            return _unavailable(cause, error)
        app.logger.error("unhandled %s on request", type(error).__name__, exc_info=error)
        return render_error(500)

    install_read_retry(app)


def _unavailable(cause: Cause, error: Exception) -> tuple[str, int, dict[str, str]]:
    """503, with Retry-After when a retry can succeed, and the cause in the log."""
    log_outage(cause, error)
    wait = retry_after(cause)
    if wait is None:
        page, status = render_error(503, _(
            "The server has run out of storage space. Nothing was saved; please tell the "
            "administrator."))
        return page, status, {}
    page, status = render_error(503, _(
        "The database is busy or out of reach for a moment. Nothing was saved; please try "
        "again in a few seconds."))
    return page, status, {"Retry-After": str(wait)}
