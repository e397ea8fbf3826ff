"""``flask --app app report QUARTER --format html|json|pdf --out PATH [--by ATTRIBUTE]``.

Bad input (an unknown quarter, a breakdown the quarter's rounds do not carry, a path that
cannot be written) exits non-zero with one line on stderr and writes nothing: a script must
not mistake a department report for the ``--by job_grade`` report it asked for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from survey.db import db
from survey.messages import refused

if TYPE_CHECKING:
    from reports.quarterly.build import QuarterReport


@click.command("report")
@click.argument("quarter")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "pdf"]), default="html",
              show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--by", "breakdown", default=None, help="group attribute for the breakdown")
@with_appcontext
def report_command(quarter: str, fmt: str, out_path: str, breakdown: str | None) -> None:
    """Write the quarterly report (every figure passes the disclosure gate)."""
    from reports.quarterly.messages import report_message  # the report stack: on use only
    from reports.quarterly.services import ReportError

    try:
        _write(quarter, fmt, Path(out_path), breakdown)
    except ReportError as error:
        raise refused(error, report_message) from None


def _write(quarter: str, fmt: str, target: Path, breakdown: str | None) -> None:
    from reports.quarterly.services import ReportError, quarter_report

    report = quarter_report(db.session, quarter, breakdown)
    if breakdown is not None and report.wave is not None and breakdown not in report.attributes:
        raise ReportError("unknown_breakdown", quarter=quarter, breakdown=breakdown,
                          known=report.attributes)
    try:
        target.write_bytes(_content(report, fmt))
    except OSError as error:
        raise ReportError("cannot_write", path=str(target), reason=error.strerror) from None
    click.echo(f"wrote {fmt} report for {report.quarter.label} to {target}")


def _content(report: QuarterReport, fmt: str) -> bytes:
    """The report in ``fmt``, as the bytes of the file."""
    from reports.quarterly.serialise import report_json

    if fmt == "json":
        return json.dumps(report_json(report), ensure_ascii=False, indent=2,
                          default=str).encode("utf-8")
    from reports.quarterly.page import render_report_html, render_report_pdf

    if fmt == "html":
        return render_report_html(report).encode("utf-8")
    return render_report_pdf(report)
