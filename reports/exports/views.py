"""HR pages: closed waves and their anonymised exports (every export is logged publicly).

A download is written in the page's language (Flask-Babel's locale: ``?lang=en`` or the
language remembered in the session), so what HR reads on the page is what the file says.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse
from wtforms.fields.choices import SelectChoice

from reports.exports.choices import ExportError
from reports.exports.forms import ExportForm
from reports.exports.messages import export_message
from survey.auth.access import roles_required
from survey.db import begin_write, db
from survey.models import Role, Wave

bp = Blueprint("hr", __name__, url_prefix="/hr")
hr_only = roles_required(Role.HR)


@bp.get("/")
@hr_only
def home() -> str:
    """Closed waves that can be exported, and one form to export any of them."""
    from reports.exports.service import closed_waves  # statistics stack: on first request

    waves = closed_waves(db.session)
    return render_template("hr/home.html", waves=waves, form=export_form(waves))


@bp.post("/export")
@hr_only
def export() -> HttpResponse:
    """Download one export of a closed wave."""
    from reports.exports.service import closed_waves, make_export

    form = export_form(closed_waves(db.session))
    if not form.validate_on_submit():
        flash(_("Choose what to export and the format."), "error")
        return redirect(url_for("hr.home"))
    begin_write(db.session)
    try:
        made = make_export(db.session, form.wave.data, form.kind.data, form.fmt.data,
                           comments=form.comments.data, role=str(current_user.role),
                           actor_id=int(current_user.id), lang=export_language())
    except ExportError as error:
        db.session.rollback()
        flash(export_message(error), "error")
        return redirect(url_for("hr.home"))
    db.session.commit()
    return Response(made.content, mimetype=made.mimetype, headers={
        "Content-Disposition": f"attachment; filename={made.filename}",
        "Cache-Control": "no-store"})


def export_language() -> str:
    """The language of this request's page, which the export follows."""
    return str(get_locale() or "ja")


def export_form(waves: list[Wave]) -> ExportForm:
    """The export form offering ``waves`` (newest first, the first one preselected)."""
    form = ExportForm()
    form.wave.choices = [SelectChoice(w.id, f"{w.label} ({w.closes_on.isoformat()})")
                         for w in waves]
    return form

