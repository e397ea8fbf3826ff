"""``flask --app app roster import PATH``: the roster import for scripts (one transaction)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from survey import audit
from survey.db import begin_write, db
from survey.messages import refused
from survey.roster.messages import (
    concurrent_message,
    generated_ids_message,
    roster_message,
    units_message,
    warning_message,
)
from survey.roster.parsing import RosterError, check_size, parse_hierarchy, parse_roster
from survey.roster.services import ImportSummary, import_roster
from survey.waves.services import unit_counts


@click.group("roster")
def roster_group() -> None:
    """Import the staff roster."""


@roster_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--hierarchy", default=None, help='unit columns from broad to fine, e.g. "部,課,係"')
@with_appcontext
def roster_import_command(path: Path, hierarchy: str | None) -> None:
    """Import a .csv or .xlsx roster all or nothing; unlisted people are deactivated."""
    with force_locale("en"):
        try:
            summary = _import(path, parse_hierarchy(hierarchy))
        except RosterError as error:
            raise refused(error, roster_message) from error
        click.echo(f"created {summary.created}, updated {summary.updated + summary.reactivated}, "
                   f"deactivated {summary.deactivated}, active {summary.active}")
        if summary.generated_ids:
            click.echo(generated_ids_message(summary.generated_ids))
        if summary.concurrent:
            click.echo(concurrent_message(summary.concurrent))
        units = unit_counts(db.session)
        if units is not None and any(units):
            click.echo(units_message(*units) + " (details: flask --app app wave preview)")
        for warning in summary.warnings:
            click.echo(f"warning: {warning_message(warning)}")


def _import(path: Path, hierarchy: list[str] | None) -> ImportSummary:
    """Check the size before reading, parse, then write in one transaction."""
    config = current_app.config
    check_size(path.stat().st_size, config["ROSTER_MAX_BYTES"])
    rows = parse_roster(path.name, path.read_bytes(), max_rows=config["ROSTER_MAX_ROWS"])
    begin_write(db.session)
    summary = import_roster(db.session, rows, hierarchy)
    audit.record(db.session, "roster_imported", "system", None, active=summary.active)
    db.session.commit()
    return summary
