"""``flask --app app export --wave WAVE_ID --format csv|xlsx --kind responses|aggregate
[--comments] [--lang ja|en] --out PATH``: the scriptable twin of the HR export page.

``--format csv`` writes a zip: each table as a plain CSV and their ``datapackage.json``
(notes, column labels and types), as the HR page's download does; ``--format xlsx`` writes a
workbook with a ``notes`` sheet.

``--lang`` picks the language of the file's notes, column labels and reasons (Japanese by
default, like the app); the column keys that scripts read are English in both languages.
Messages on the terminal stay English, like the app's other commands: the same sentences as
the HR page's (:mod:`reports.exports.messages`), in English.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from reports.exports.choices import ExportError, ExportLanguage
from reports.exports.messages import export_message
from survey.db import begin_write, db
from survey.messages import refused


@click.command("export")
@click.option("--wave", "wave_id", required=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--kind", type=click.Choice(["responses", "aggregate"]), default="responses",
              show_default=True)
@click.option("--comments", is_flag=True, help="Add free text of groups passing k_comments.")
@click.option("--lang", type=click.Choice([str(lang) for lang in ExportLanguage]),
              default=str(ExportLanguage.JA), show_default=True,
              help="Language of notes, column labels and reasons (column keys stay English).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_command(wave_id: int, fmt: str, kind: str, comments: bool, lang: str,
                   out_path: str) -> None:
    """Export a closed wave's anonymised results (no identifying column); logged publicly."""
    from reports.exports.service import make_export  # statistics and spreadsheets: on use only

    begin_write(db.session)
    try:
        export = make_export(db.session, wave_id, kind, fmt, comments=comments, role="system",
                             lang=lang)
        Path(out_path).write_bytes(export.content)
    except ExportError as error:
        raise refused(error, export_message) from None
    except OSError as error:
        unwritable = ExportError("cannot_write", path=out_path, reason=error.strerror)
        raise refused(unwritable, export_message) from None
    db.session.commit()
    click.echo(f"wrote {out_path} ({kind}, {fmt}, {lang}; {export.dropped} rows dropped)")
