"""Printable slips: one per invitee without an address, A4, link as QR and text, name torn off.

A picture of the first page is written to ``test-artifacts/slips-page-1.png`` (pdftoppm).
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from survey.db import db
from survey.models import Wave
from survey.waves.slips import slips
from tests.conftest import ROOT, TOKEN_KEY, roster_rows

A4 = (595, 842)  # points
TEAR_OFF_X = (210 - 8 - 46) / 25.4 * 72  # the tear-off part starts 46 mm + margin from the right


def _wave_with_paperless_staff(app, make_roster, paperless: int = 4) -> str:
    rows = roster_rows(30)
    for row in rows[:paperless]:
        row["email"] = ""
    make_roster(rows)
    result = app.test_cli_runner().invoke(args=["wave", "open", "--label", "slips-1"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _positions(page) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, *_: found.append((text, tm[4])))
    return found


def test_slips_for_people_without_an_address(app, make_roster, tmp_path) -> None:
    wave_id = _wave_with_paperless_staff(app, make_roster)
    out = tmp_path / "slips.pdf"
    result = app.test_cli_runner().invoke(args=["wave", "slips", wave_id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"4 slips written to {out}"
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2  # three per page
    assert all((round(p.mediabox.width), round(p.mediabox.height)) == A4 for p in reader.pages)
    text = "".join(page.extract_text() for page in reader.pages)
    with app.app_context():
        expected = slips(db.session, db.session.get(Wave, int(wave_id)), TOKEN_KEY,
                         app.config["PUBLIC_BASE_URL"])
    assert [s.employee_id for s in expected] == ["E0000", "E0001", "E0002", "E0003"]
    compact = text.replace("\n", "")
    assert all(s.link in compact for s in expected)
    assert "お渡し先" in text and "匿名" in text
    for page in reader.pages:
        ids = [(t, x) for t, x in _positions(page) if t.strip().startswith("E000")]
        assert ids and all(x > TEAR_OFF_X for _t, x in ids)  # only on the tear-off part
    _picture(out)


def _picture(pdf) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed for the picture of a slips page")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(artifacts / "slips-page-1")], check=True)
    assert (artifacts / "slips-page-1.png").stat().st_size > 5000


def test_all_prints_a_slip_for_everyone(app, make_roster, tmp_path) -> None:
    wave_id = _wave_with_paperless_staff(app, make_roster)
    out = tmp_path / "all.pdf"
    result = app.test_cli_runner().invoke(
        args=["wave", "slips", wave_id, "--out", str(out), "--all"])
    assert result.output.strip() == f"30 slips written to {out}"
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 10


def test_nothing_to_print_and_closed_waves_are_one_line_errors(app, make_roster, tmp_path):
    wave_id = _wave_with_paperless_staff(app, make_roster, paperless=0)
    runner = app.test_cli_runner()
    out = tmp_path / "none.pdf"
    result = runner.invoke(args=["wave", "slips", wave_id, "--out", str(out)])
    assert result.exit_code == 1 and "every invitee has an e-mail address" in result.output
    runner.invoke(args=["wave", "close", wave_id])
    result = runner.invoke(args=["wave", "slips", wave_id, "--out", str(out), "--all"])
    assert result.exit_code == 1 and "closed" in result.output
    assert not out.exists()
