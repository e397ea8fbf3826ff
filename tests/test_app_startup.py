"""Commands start fast: building the app imports no statistics, chart, PDF or spreadsheet stack.

Every ``flask --app app …`` command builds the whole application first, so whatever the
blueprints and commands import at module level is paid by a cron job that only closes a wave
or ticks the schedule (issue 13: under 0.8 s).  Those packages load where they are used:
inside the views and commands that compute, chart, render or write workbooks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "scipy", "pandas", "matplotlib", "weasyprint", "openpyxl", "holidays")


def test_building_the_app_imports_no_heavy_package(tmp_path: Path) -> None:
    config = {"SECRET_KEY": "x" * 32, "TOKEN_KEY": "00" * 32,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    code = ("import json, sys; from app import create_app; create_app(json.loads(sys.argv[1]));"
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(config)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_heavy_packages_still_load_where_they_are_used(app) -> None:
    # The lazy re-exports of reports.exports resolve to the real functions.
    from reports import exports
    from reports.exports import service

    assert exports.make_export is service.make_export
    assert exports.closed_waves is service.closed_waves
