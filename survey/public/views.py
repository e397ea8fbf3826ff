"""Start page and the transparency log staff can read."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from survey.audit import public_events
from survey.db import db
from survey.org_settings import current_thresholds
from survey.waves.services import published_waves

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Signed-in accounts go to their home; everyone else sees what naranu is."""
    if current_user.is_authenticated:
        from survey.auth.views import home_url

        return redirect(home_url())
    return render_template("public/index.html", thresholds=current_thresholds(db.session))


@bp.get("/transparency")
def transparency() -> str:
    """When results were published, threshold changes and exports, for every member of staff."""
    return render_template(
        "public/transparency.html",
        events=public_events(db.session),
        published=published_waves(db.session),
        thresholds=current_thresholds(db.session),
    )
