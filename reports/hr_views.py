"""HR pages: closed waves and their anonymised exports."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from survey.auth.access import roles_required
from survey.db import db
from survey.models import Role, Wave

bp = Blueprint("hr", __name__, url_prefix="/hr")
hr_only = roles_required(Role.HR, Role.ADMIN)


@bp.get("/")
@hr_only
def home() -> str:
    """Closed waves that can be exported."""
    waves = list(db.session.scalars(
        select(Wave).where(Wave.closed.is_(True)).order_by(Wave.closes_on.desc())))
    return render_template("hr/home.html", waves=waves)
