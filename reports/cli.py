"""``flask --app app report QUARTER --format html|json|pdf --out PATH``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from reports.serialise import report_json
from reports.service import quarter_report
from survey.db import db


@click.command("report")
@click.argument("quarter")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "pdf"]), default="html",
              show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--by", "breakdown", default=None, help="group attribute for the breakdown")
@with_appcontext
def report_command(quarter: str, fmt: str, out_path: str, breakdown: str | None) -> None:
    """Write the quarterly report (every figure passes the disclosure gate)."""
    try:
        report = quarter_report(db.session, quarter, breakdown)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    target = Path(out_path)
    if fmt == "json":
        target.write_text(json.dumps(report_json(report), ensure_ascii=False, indent=2,
                                     default=str), encoding="utf-8")
    else:
        from reports.render import render_report_html, render_report_pdf

        if fmt == "html":
            target.write_text(render_report_html(report), encoding="utf-8")
        else:
            target.write_bytes(render_report_pdf(report))
    click.echo(f"wrote {fmt} report for {report.quarter.label} to {target}")
