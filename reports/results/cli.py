"""``flask --app app results links QUARTER``: the read links of the quarter's staff results
pages, one line per reported unit and one for the organisation (tab-separated: unit, URL)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import db
from survey.messages import refused
from survey.results_links import LATEST, results_path
from survey.units.paths import path_text


@click.group("results")
def results_command() -> None:
    """Staff results pages ("what we heard, what we are doing")."""


@results_command.command("links")
@click.argument("quarter")
@with_appcontext
def links_command(quarter: str) -> None:
    """Print the read links of QUARTER's results pages (only once its results are published)."""
    # the report stack (NumPy, SciPy): on use only, so other commands start fast (issue 13)
    from reports.quarterly.messages import report_message
    from reports.quarterly.services import ReportError
    from reports.results.services import results_units, staff_page

    try:
        page = staff_page(db.session, quarter)
    except ReportError as error:
        raise refused(error, report_message) from None
    if page is None:
        raise click.ClickException(
            f"{quarter}: no round of this quarter has published results / "
            "この四半期に結果を公開した回はありません")
    config = current_app.config
    base = str(config["PUBLIC_BASE_URL"]).rstrip("/")
    key = str(config["TOKEN_KEY"])
    click.echo(f"*\t{base}{results_path(key, page.quarter)}")
    for unit in results_units(db.session, page.quarter):
        click.echo(f"{path_text(unit)}\t{base}{results_path(key, page.quarter, unit)}")
    click.echo(f"latest\t{base}{results_path(key, LATEST)}")
