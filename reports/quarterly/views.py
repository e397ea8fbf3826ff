"""Leadership pages: the quarter list, the quarterly report (web, PDF, JSON), and rounds."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    render_template,
    request,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from reports.quarters import parse_quarter
from survey import audit
from survey.auth.access import roles_required
from survey.db import begin_write, db
from survey.i18n import localized
from survey.models import Role, User
from survey.roster.labels import attribute_labels
from survey.units.services import units_of

bp = Blueprint("reports", __name__)
leadership = roles_required(Role.LEADERSHIP)
#: Unit heads read the quarter list and the quarter's page scoped to their units; the PDF, the
#: JSON API and the rounds' pages (every unit's figures) stay leadership's.
readers = roles_required(Role.LEADERSHIP, Role.UNIT_HEAD)
# The report machinery (NumPy, SciPy, matplotlib, WeasyPrint) is imported inside the views
# that use it, so that registering these pages costs a command nothing at start-up (issue 13).


@bp.get("/reports/")
@readers
def home() -> str:
    """Quarters newest first with one score per principle (arrows only for significant changes)."""
    from reports.quarterly.page import home_rows
    from reports.quarterly.services import quarter_report, quarters_with_waves
    from reports.quarterly.wording import reason_text
    from reports.storage import load
    reports = [quarter_report(db.session, q.label) for q in quarters_with_waves(db.session)]
    return render_template("reports/home.html", rows=home_rows(reports),
                           principles=load.principle_meta(db.session), reason_text=reason_text)


@bp.get("/reports/<quarter>")
@readers
def quarter(quarter: str) -> str:
    """The quarterly culture report (a unit head's: their units next to the organisation)."""
    from reports.quarterly.page import render_report_page, render_unit_report_page
    from reports.quarterly.services import unit_quarter_report
    if current_user.role == Role.UNIT_HEAD:
        _quarter_or_404(quarter)
        user = db.get_or_404(User, int(current_user.id))
        report, units = unit_quarter_report(db.session, quarter, units_of(db.session, user))
        _log_view(report.quarter.label, "web")
        return render_unit_report_page(report, units)
    report = _report_or_404(quarter)
    _log_view(report.quarter.label, "web")
    return render_report_page(report)


@bp.get("/reports/<quarter>.pdf")
@leadership
def quarter_pdf(quarter: str) -> Response:
    """The quarterly report as a PDF download."""
    from reports.quarterly.page import render_report_pdf
    report = _report_or_404(quarter)
    if report.wave is None:
        abort(404)
    _log_view(report.quarter.label, "pdf")
    response = Response(render_report_pdf(report), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="naranu-{report.quarter.label}.pdf"')
    return response


@bp.get("/api/v1/reports/<quarter>")
@leadership
def quarter_json(quarter: str) -> Response:
    """Every figure of the quarterly report as JSON (gated like the page)."""
    from reports.quarterly.serialise import report_json
    report = _report_or_404(quarter)
    _log_view(report.quarter.label, "api")
    return jsonify(report_json(report))


@bp.get("/reports/waves/<int:wave_id>")
@leadership
def wave(wave_id: int) -> str:
    """One round: its response rate while open, its figures once closed."""
    from reports.quarterly.services import wave_report
    from reports.quarterly.wording import group_name, reason_text
    page = wave_report(db.session, wave_id)
    if page is None:
        abort(404)
    titles = {p.code: localized(p.title_ja, p.title_en) for p in page.pop("principles")}
    return render_template("reports/wave.html", titles=titles, reason_text=reason_text,
                           group_name=group_name,
                           attribute_labels=attribute_labels(db.session, page["rates"]), **page)


def _report_or_404(label: str):
    """The report, or 404 for a malformed quarter label only: any other error is a real error
    and must not pass for "page does not exist"."""
    from reports.quarterly.services import quarter_report
    _quarter_or_404(label)
    return quarter_report(db.session, label, request.args.get("by") or None)


def _quarter_or_404(label: str) -> None:
    from reports.storage import load
    try:
        parse_quarter(label, load.fiscal_start_month())
    except ValueError:
        abort(404)


def _log_view(quarter: str, form: str) -> None:
    db.session.rollback()  # end the read transaction; the log entry is its own write
    begin_write(db.session)
    audit.record(db.session, "report_viewed", str(current_user.role), int(current_user.id),
                 quarter=quarter, form=form)
    db.session.commit()
