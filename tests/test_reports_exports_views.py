"""The HR export page: roles, downloads, the public log, CSRF, the file's language."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from survey.db import db
from survey.demo import DemoSpec, seed_demo
from tests.conftest import TOKEN_KEY


@pytest.fixture()
def wave_id(app: Flask) -> int:
    with app.app_context():
        return seed_demo(db.session, DemoSpec(staff=60, waves=1, seed=1), TOKEN_KEY)[0].id


def test_hr_sees_one_export_form_for_every_closed_wave(app: Flask, login) -> None:
    with app.app_context():
        waves = [w.id for w in seed_demo(db.session, DemoSpec(staff=60, waves=3, seed=2),
                                         TOKEN_KEY)]
    page = login("hr").get("/hr/?lang=en").get_data(as_text=True)
    assert page.count("<form") == 2  # sign-out and the one export form, not one per wave
    assert page.count('action="/hr/export"') == 1
    assert all(f'value="{wave}"' in page for wave in waves)


@pytest.mark.parametrize("role", ["leadership", "admin"])
def test_other_roles_are_refused(login, wave_id: int, role: str) -> None:
    client = login(role)
    assert client.get("/hr/").status_code == 403
    assert client.post("/hr/export", data={"wave": wave_id, "kind": "responses", "fmt": "csv"}
                       ).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, wave_id: int) -> None:
    assert client.get("/hr/").status_code in (302, 401)


@pytest.mark.parametrize(("kind", "fmt", "mime"), [
    ("responses", "csv", "application/zip"), ("aggregate", "xlsx", "spreadsheetml")])
def test_download_is_an_attachment_and_logged(login, wave_id: int, kind: str, fmt: str,
                                              mime: str) -> None:
    client = login("hr")
    got = client.post("/hr/export", data={"wave": wave_id, "kind": kind, "fmt": fmt})
    assert got.status_code == 200
    assert mime in got.mimetype
    assert "attachment" in got.headers["Content-Disposition"]
    assert got.headers["Cache-Control"] == "no-store"
    log = client.get("/transparency?lang=en").get_data(as_text=True)
    named = {"aggregate": "aggregate figures", "responses": "response-level data"}[kind]
    assert f"Export made: {named} of round" in log


def test_unknown_wave_flashes_and_redirects(login, wave_id: int) -> None:
    got = login("hr").post("/hr/export", data={"wave": 999, "kind": "aggregate", "fmt": "csv"})
    assert got.status_code == 302 and "attachment" not in got.headers.get(
        "Content-Disposition", "")


def test_post_without_csrf_token_is_rejected(make_app, make_user) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        wave = seed_demo(db.session, DemoSpec(staff=60, waves=1, seed=1), TOKEN_KEY)[0].id
    client = app.test_client()
    with client.session_transaction() as s:  # sign in without a form post
        from survey.auth.services import create_user

        with app.app_context():
            user = create_user(db.session, "hr2@example.jp", "hr", "correct horse battery")
            db.session.commit()
            s["_user_id"] = user.get_id()  # "<id>:<session version>" (survey.auth.sessions)
            s["_fresh"] = True
            s["_issued"] = s["_seen"] = int(time.time())
    got = client.post("/hr/export", data={"wave": wave, "kind": "aggregate", "fmt": "csv"})
    assert got.status_code == 400  # signed in, so refused by CSRF rather than sent to login
    assert b"attachment" not in got.headers.get("Content-Disposition", "").encode()


# -- the file follows the page's language ---------------------------------------------------

def export_rows(data: bytes, fmt: str) -> list[list[Any]]:
    """A downloaded export: its notes, then its column labels, then its table's rows."""
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            [resource] = json.loads(archive.read("datapackage.json"))["resources"]
            raw = archive.read(resource["path"])
        assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel must start with a UTF-8 BOM"
        return [*([n] for n in resource["description"].splitlines()),
                [f["title"] for f in resource["schema"]["fields"]],
                *csv.reader(io.StringIO(raw.decode("utf-8-sig")))]
    book = load_workbook(io.BytesIO(data))
    described = list(book["notes"].iter_rows(values_only=True))[1:]
    return [*([n] for _s, column, _l, n in described if column is None),
            [label for _s, column, label, _n in described if column is not None],
            *(list(row) for row in book["aggregate"].iter_rows(values_only=True))]


def download(client, wave_id: int, fmt: str, query: str = "") -> list[list[Any]]:
    got = client.post(f"/hr/export{query}", data={"wave": wave_id, "kind": "aggregate",
                                                   "fmt": fmt})
    assert got.status_code == 200
    return export_rows(got.data, fmt)


def labels_row(rows: list[list]) -> list:
    """The people's column names: the line above the column keys (however many notes)."""
    keys = next(i for i, row in enumerate(rows) if row[:2] == ["measure", "title"])
    return rows[keys - 1]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_is_japanese_by_default(login, wave_id: int, fmt: str) -> None:
    rows = download(login("hr"), wave_id, fmt)
    assert rows[0][0].startswith("naranu 集計データ；実施回 ")
    assert labels_row(rows)[:2] == ["指標", "行動指針・設問"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_is_english_with_lang_en(login, wave_id: int, fmt: str) -> None:
    rows = download(login("hr"), wave_id, fmt, "?lang=en")
    assert rows[0][0].startswith("naranu aggregate export; wave ")
    assert labels_row(rows)[:2] == ["Measure", "Principle or question"]


def test_download_follows_the_language_the_page_was_switched_to(login, wave_id: int) -> None:
    client = login("hr")
    page = client.get("/hr/?lang=en").get_data(as_text=True)
    assert "Files are written in the language of this page" in page
    assert download(client, wave_id, "csv")[0][0].startswith("naranu aggregate export")
    page = client.get("/hr/?lang=ja").get_data(as_text=True)
    assert "ファイルの注記・列の説明・非表示の理由は、このページの言語で書かれます" in page
    assert download(client, wave_id, "csv")[0][0].startswith("naranu 集計データ")


def test_localised_download_still_neutralises_formulas(app: Flask, login, wave_id: int) -> None:
    from survey.models import Wave

    with app.app_context():
        item = db.session.get(Wave, wave_id).items[0].item
        item.text_ja, item.text_en = "=HYPERLINK(\"http://evil\") 町民", "+1 residents"
        db.session.commit()
    client = login("hr")
    for query, text in (("", "'=HYPERLINK(\"http://evil\") 町民"), ("?lang=en", "'+1 residents")):
        for fmt in ("csv", "xlsx"):
            cells = [v for row in download(client, wave_id, fmt, query) for v in row]
            assert text in cells
            assert text[1:] not in cells
