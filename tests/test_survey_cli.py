"""The command contract (``flask --app app …``): output, exit codes and one-line errors."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reports.quarters import quarter_of
from survey.auth.passwords import verify_password
from survey.models import Invitation, Principle, User, Wave
from survey.waves.services import today
from tests.conftest import PASSWORD


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_init_db_is_idempotent(runner: FlaskCliRunner, session: Session) -> None:
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0 and result.output.strip().endswith("database ready")
    assert session.scalar(select(func.count()).select_from(Principle)) == 4


def test_create_user_reads_the_password_from_stdin(
    runner: FlaskCliRunner, session: Session,
) -> None:
    result = runner.invoke(args=["create-user", "Boss@Town.example.jp", "--role", "leadership"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created leadership boss@town.example.jp"
    assert PASSWORD not in result.output
    user = session.scalar(select(User))
    assert user.role == "leadership" and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)


def test_create_user_still_takes_password_option_with_a_warning(
    runner: FlaskCliRunner, session: Session,
) -> None:
    result = runner.invoke(args=["create-user", "Boss@Town.example.jp", "--role", "leadership",
                                 "--password", PASSWORD])
    assert result.exit_code == 0
    assert result.stdout.strip() == "created leadership boss@town.example.jp"
    assert "warning: --password leaves the password in the shell history" in result.stderr
    assert session.scalar(select(User)).email == "boss@town.example.jp"


@pytest.mark.parametrize(("arguments", "password", "reason"), [
    (["not-an-email", "--role", "hr"], PASSWORD, "not a valid e-mail address."),
    (["x@town.example.jp", "--role", "root"], PASSWORD, "admin, leadership, hr or unit-head"),
    (["x@town.example.jp", "--role", "hr"], "short", "at least 10 characters"),
    (["x@town.example.jp", "--role", "hr"], "aaaaaaaaaa", "too easy to guess"),
    (["x@town.example.jp", "--role", "hr"], "password123", "too easy to guess"),
    (["kazuko.sato@town.example.jp", "--role", "hr"], "Kazuko.Sato-2026!", "e-mail address"),
    (["taken@town.example.jp", "--role", "hr"], PASSWORD, "already exists"),
])
def test_create_user_refuses_bad_input_in_one_line(
    runner: FlaskCliRunner, session: Session, arguments: list[str], password: str, reason: str,
) -> None:
    runner.invoke(args=["create-user", "taken@town.example.jp", "--role", "admin"],
                  input=PASSWORD + "\n")
    line = one_line_error(runner.invoke(args=["create-user", *arguments], input=password + "\n"))
    assert reason in line
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_wave_open_prints_the_id_and_close_closes_it(
    runner: FlaskCliRunner, session: Session, make_roster: Callable[..., int], tmp_path: Path
) -> None:
    make_roster()
    opens, closes = today(), today() + dt.timedelta(days=7)
    result = runner.invoke(args=["wave", "open", "--label", "2026-04", "--opens", str(opens),
                                 "--closes", str(closes)])
    assert result.exit_code == 0, result.output
    wave_id = int(result.output.strip())
    wave = session.get(Wave, wave_id)
    assert (wave.label, wave.opens_on, wave.closes_on) == ("2026-04", opens, closes)

    out = tmp_path / "x.csv"
    result = runner.invoke(args=["wave", "invitations", str(wave_id), "--out", str(out)])
    assert result.exit_code == 0 and "30 invitations" in result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["email", "link"] and len(rows) == 31
    assert all(row[1].startswith("http://survey.example/s/") for row in rows[1:])

    result = runner.invoke(args=["wave", "close", str(wave_id)])
    assert result.exit_code == 0
    assert result.output.strip() == f"closed wave {wave_id} (2026-04): 0 responses"
    session.expire_all()
    assert session.get(Wave, wave_id).closed
    assert session.scalar(select(Invitation.token_hash)) is None
    line = one_line_error(runner.invoke(args=["wave", "close", str(wave_id)]))
    assert "already closed" in line


def test_wave_open_defaults_to_two_weeks_from_today(
    runner: FlaskCliRunner, session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster()
    result = runner.invoke(args=["wave", "open", "--label", "default dates"])
    wave = session.get(Wave, int(result.output.strip()))
    assert (wave.opens_on, wave.closes_on) == (today(), today() + dt.timedelta(days=14))


@pytest.mark.parametrize(("dates", "reason"), [
    (["--opens", "2026-13-45"], "2026-13-45"),
    (["--closes", "tomorrow"], "tomorrow"),
    (["--opens", "2030-05-10", "--closes", "2030-05-01"],
     "The closing date is before the opening date."),
    (["--opens", "2001-01-01", "--closes", "2001-01-14"], "The closing date is in the past."),
])
def test_wave_open_refuses_bad_dates(
    runner: FlaskCliRunner, session: Session, make_roster: Callable[..., int],
    dates: list[str], reason: str,
) -> None:
    make_roster()
    result = runner.invoke(args=["wave", "open", "--label", "L", *dates])
    assert result.exit_code != 0
    assert reason in result.output
    assert session.scalar(select(Wave.id)) is None


def test_wave_errors_are_english_one_liners(
    runner: FlaskCliRunner, make_roster: Callable[..., int]
) -> None:
    make_roster(count=3)
    line = one_line_error(runner.invoke(args=["wave", "open", "--label", "tiny"]))
    assert line == ("Error: The active roster has fewer people than the minimum group size.")
    assert "no wave with id 99" in one_line_error(runner.invoke(args=["wave", "close", "99"]))


def test_seed_demo_then_report(runner: FlaskCliRunner, app: Flask, tmp_path: Path) -> None:
    result = runner.invoke(args=["seed-demo", "--staff", "40", "--waves", "2", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("demo ready: 2 waves, 40 staff")
    with app.app_context():
        from survey.db import db

        waves = db.session.scalars(select(Wave).order_by(Wave.opens_on)).all()
        assert len(waves) == 2 and all(w.closed for w in waves)
        label = quarter_of(waves[-1].opens_on).label
    out = tmp_path / "report.json"
    result = runner.invoke(args=["report", label, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert label in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report  # the report package pins the content; here the contract is exit 0 + a file
    again = runner.invoke(args=["seed-demo", "--staff", "40", "--waves", "1"])
    assert "already has waves" in one_line_error(again)
