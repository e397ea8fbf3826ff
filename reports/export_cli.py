"""``flask --app app export --wave WAVE_ID --format csv|xlsx --out PATH``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("export")
@click.option("--wave", "wave_id", required=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--kind", type=click.Choice(["responses", "aggregate"]), default="responses",
              show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_command(wave_id: int, fmt: str, kind: str, out_path: str) -> None:
    """Export a closed wave's anonymised results (no identifying column)."""
    raise click.ClickException("export is being implemented")
