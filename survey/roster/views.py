"""The roster page: its size and groups, and the upload that replaces it (admin and HR)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from survey import audit
from survey.auth.access import roles_required
from survey.db import begin_write, db
from survey.errors import render_error
from survey.input_guard import UPLOAD_ENVELOPE, accepts_large_body, may_use
from survey.models import Role
from survey.roster.forms import RosterUploadForm
from survey.roster.labels import attribute_labels
from survey.roster.messages import (
    concurrent_message,
    generated_ids_message,
    roster_message,
    units_message,
    warning_message,
)
from survey.roster.parsing import RosterError, check_size, parse_hierarchy, parse_roster
from survey.roster.services import ImportSummary, current_warnings, import_roster, roster_overview
from survey.waves.services import unit_counts

bp = Blueprint("roster", __name__)


@bp.route("/roster", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
@accepts_large_body("ROSTER_MAX_BYTES", envelope=UPLOAD_ENVELOPE)
def upload() -> ResponseReturnValue:
    """Show the roster's size and groups; import an uploaded roster file all or nothing."""
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return _page(form), 400 if form.is_submitted() else 200
    try:
        summary = _import(form.file.data, parse_hierarchy(form.hierarchy.data))
    except RosterError as error:
        db.session.rollback()
        return _page(form, error=roster_message(error)), 400
    _flash_summary(summary)
    units = unit_counts(db.session)
    if units is not None and any(units):
        flash(units_message(*units), "info")
    return redirect(url_for("roster.upload"))


@bp.errorhandler(413)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """An upload over the limit: the roster page says which limit, to those who may see it."""
    if not may_use(upload):
        return render_error(413)
    limit = current_app.config["ROSTER_MAX_BYTES"]
    refusal = RosterError("too_large", limit_mb=max(1, limit // 2**20))
    return _page(RosterUploadForm(formdata=None), error=roster_message(refusal)), 413


def _import(storage: FileStorage, hierarchy: list[str] | None) -> ImportSummary:
    """Read (at most the size limit), parse, then write in one transaction."""
    limit = current_app.config["ROSTER_MAX_BYTES"]
    data = storage.stream.read(limit + 1)
    check_size(len(data), limit)
    rows = parse_roster(storage.filename or "", data,
                        max_rows=current_app.config["ROSTER_MAX_ROWS"])
    begin_write(db.session)
    summary = import_roster(db.session, rows, hierarchy)
    audit.record(db.session, "roster_imported", current_user.role, current_user.id,
                 active=summary.active)
    db.session.commit()
    return summary


def _page(form: RosterUploadForm, error: str | None = None) -> str:
    overview = roster_overview(db.session)
    warnings = [warning_message(warning) for warning in current_warnings(db.session)]
    return render_template("roster/upload.html", form=form, error=error, overview=overview,
                           attribute_labels=attribute_labels(db.session, overview.groups),
                           warnings=warnings)


def _flash_summary(summary: ImportSummary) -> None:
    """Counts only: the warnings are shown by the roster page itself (see current_warnings)."""
    flash(_("Roster imported: %(created)s added, %(updated)s updated, %(deactivated)s "
            "deactivated; %(active)s people are active.", created=summary.created,
            updated=summary.updated + summary.reactivated, deactivated=summary.deactivated,
            active=summary.active), "info")
    if summary.generated_ids:
        flash(generated_ids_message(summary.generated_ids), "info")
    if summary.concurrent:
        flash(concurrent_message(summary.concurrent), "info")
