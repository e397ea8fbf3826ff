"""``flask report``: bad input exits non-zero with one line and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from survey.db import db
from tests.conftest import TOKEN_KEY

QUARTER = "FY2026Q3"


@pytest.fixture()
def seeded(app: Flask) -> Flask:
    """Two closed demo waves (units department and team)."""
    from survey.demo import DemoSpec, seed_demo

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=40, waves=2, seed=2), TOKEN_KEY)
    return app


def test_unknown_breakdown_exits_non_zero_in_one_line(seeded: Flask, runner: FlaskCliRunner,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(args=["report", QUARTER, "--format", "json", "--by", "job_grade",
                                 "--out", str(out)])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "job_grade" in lines[0] and "department" in lines[0], lines
    assert not out.exists()


def test_known_breakdown_is_the_one_written(seeded: Flask, runner: FlaskCliRunner,
                                            tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(args=["report", QUARTER, "--format", "json", "--by", "team",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["breakdown"] == "team"


def test_unwritable_path_exits_non_zero_in_one_line(seeded: Flask, runner: FlaskCliRunner,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "missing-folder" / "report.json"
    result = runner.invoke(args=["report", QUARTER, "--format", "json", "--out", str(out)])
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1 and "cannot write" in result.output
