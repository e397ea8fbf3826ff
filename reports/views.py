"""Leadership pages: the quarter list, the quarterly report, the JSON API, interventions."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from reports.serialise import report_json
from reports.service import quarter_report, quarters_with_waves
from survey import audit
from survey.auth.access import roles_required
from survey.db import begin_write, db
from survey.models import Role

bp = Blueprint("reports", __name__)
leadership = roles_required(Role.LEADERSHIP, Role.ADMIN)


@bp.get("/reports/")
@leadership
def home() -> str:
    """Quarters with a headline per principle."""
    quarters = quarters_with_waves(db.session)
    reports = [quarter_report(db.session, q.label) for q in quarters]
    return render_template("reports/home.html", reports=reports)


@bp.get("/reports/<quarter>")
@leadership
def quarter(quarter: str) -> str:
    """The quarterly culture report."""
    report = _report_or_404(quarter)
    _log_view(f"report {report.quarter.label}")
    return render_template("reports/quarter.html", report=report)


@bp.get("/api/v1/reports/<quarter>")
@leadership
def quarter_json(quarter: str) -> Response:
    """Every figure of the quarterly report as JSON (gated like the page)."""
    report = _report_or_404(quarter)
    _log_view(f"report {report.quarter.label} (API)")
    return jsonify(report_json(report))


def _report_or_404(label: str):  # noqa: ANN202 - QuarterReport
    breakdown = request.args.get("by") or None
    try:
        return quarter_report(db.session, label, breakdown)
    except ValueError:
        abort(404)


def _log_view(what: str) -> None:
    db.session.rollback()  # end the read transaction; the log entry is its own write
    begin_write(db.session)
    audit.record(db.session, "report_viewed", str(current_user.role), int(current_user.id),
                 what=what)
    db.session.commit()
