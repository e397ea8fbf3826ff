"""Staff results pages: no sign-in, read with the link's key (survey.results_links)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from reports.quarters import parse_quarter
from survey.db import db
from survey.i18n import localized
from survey.plans.labels import plan_status_label, plan_unit_label
from survey.results_links import LATEST, key_matches, results_path
from survey.units.paths import name_parts, unit_label, unit_of_key

bp = Blueprint("results", __name__)
# The report machinery (NumPy, SciPy) is imported inside the views that use it, so that
# registering these pages costs a command nothing at start-up (issue 13).


@bp.get("/results/latest")
def latest() -> str | Response:
    """The organisation's page of the latest published quarter (the mail's and thank-you
    page's link)."""
    from reports.results.services import latest_published_quarter
    _check_key(LATEST, ())
    quarter = latest_published_quarter(db.session)
    if quarter is None:
        return render_template("results/none.html")
    return redirect(results_path(_token_key(), quarter))


@bp.get("/results/<quarter>")
def organisation(quarter: str) -> str:
    """What we heard and what we are doing: the organisation."""
    return _page(quarter, ())


@bp.get("/results/<quarter>/<path:unit>")
def unit(quarter: str, unit: str) -> str:
    """What we heard and what we are doing: one unit (or the unit it is reported within)."""
    return _page(quarter, name_parts(unit))


def _page(quarter: str, path: tuple[str, ...]) -> str:
    from reports.results.services import staff_page
    from reports.storage.load import fiscal_start_month, principle_meta
    try:
        parse_quarter(quarter, fiscal_start_month())
    except ValueError:
        abort(404)
    _check_key(quarter, path)
    page = staff_page(db.session, quarter, path)
    if page is None:
        abort(404)
    return render_template(
        "results/page.html", page=page,
        titles={p.code: localized(p.title_ja, p.title_en) for p in principle_meta(db.session)},
        unit_label=unit_label, plan_status_label=plan_status_label,
        plan_unit_label=plan_unit_label, unit_of_key=unit_of_key,
        organisation_url=results_path(_token_key(), quarter), language_url=_other_language())


def _other_language() -> str:
    """This page (with its key) in the other language."""
    other = "en" if str(get_locale()) == "ja" else "ja"
    return url_for(str(request.endpoint), **(request.view_args or {}),
                   key=request.args.get("key", ""), lang=other)


def _check_key(quarter: str, path: tuple[str, ...]) -> None:
    """404 (not 403) for a missing or wrong key: the page's existence is not confirmed."""
    if not key_matches(_token_key(), quarter, path, request.args.get("key", "")):
        abort(404)


def _token_key() -> str:
    return str(current_app.config["TOKEN_KEY"])
