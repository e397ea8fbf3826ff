"""The HR export page: roles, downloads, the public log, CSRF, the file's language."""

from __future__ import annotations

import csv
import io
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


def test_hr_sees_closed_waves_with_export_buttons(login, wave_id: int) -> None:
    page = login("hr").get("/hr/?lang=en")
    assert page.status_code == 200
    assert f"/hr/waves/{wave_id}/export".encode() in page.data


@pytest.mark.parametrize("role", ["leadership", "admin"])
def test_other_roles_are_refused(login, wave_id: int, role: str) -> None:
    client = login(role)
    assert client.get("/hr/").status_code == 403
    assert client.post(f"/hr/waves/{wave_id}/export",
                       data={f"w{wave_id}-kind": "responses", f"w{wave_id}-fmt": "csv"}
                       ).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, wave_id: int) -> None:
    assert client.get("/hr/").status_code in (302, 401)


@pytest.mark.parametrize(("kind", "fmt", "mime"), [
    ("responses", "csv", "text/csv"), ("aggregate", "xlsx", "spreadsheetml")])
def test_download_is_an_attachment_and_logged(login, wave_id: int, kind: str, fmt: str,
                                              mime: str) -> None:
    client = login("hr")
    got = client.post(f"/hr/waves/{wave_id}/export",
                      data={f"w{wave_id}-kind": kind, f"w{wave_id}-fmt": fmt})
    assert got.status_code == 200
    assert mime in got.mimetype
    assert "attachment" in got.headers["Content-Disposition"]
    assert got.headers["Cache-Control"] == "no-store"
    log = client.get("/transparency?lang=en").get_data(as_text=True)
    named = {"aggregate": "aggregate figures", "responses": "response-level data"}[kind]
    assert f"Export made: {named} of round" in log


def test_unknown_wave_flashes_and_redirects(login) -> None:
    got = login("hr").post("/hr/waves/999/export", data={"w999-kind": "aggregate",
                                                       "w999-fmt": "csv"})
    assert got.status_code == 302


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
            s["_user_id"] = str(user.id)
            s["_fresh"] = True
    got = client.post(f"/hr/waves/{wave}/export", data={f"w{wave}-kind": "aggregate",
                                                      f"w{wave}-fmt": "csv"})
    assert got.status_code in (302, 400)
    assert b"attachment" not in got.headers.get("Content-Disposition", "").encode()


# -- the file follows the page's language ---------------------------------------------------

def export_rows(data: bytes, fmt: str) -> list[list[Any]]:
    """Every row of a downloaded CSV or XLSX export."""
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel must start with a UTF-8 BOM"
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(data))
    return [list(row) for sheet in book for row in sheet.iter_rows(values_only=True)]


def download(client, wave_id: int, fmt: str, query: str = "") -> list[list[Any]]:
    got = client.post(f"/hr/waves/{wave_id}/export{query}",
                      data={f"w{wave_id}-kind": "aggregate", f"w{wave_id}-fmt": fmt})
    assert got.status_code == 200
    return export_rows(got.data, fmt)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_is_japanese_by_default(login, wave_id: int, fmt: str) -> None:
    rows = download(login("hr"), wave_id, fmt)
    assert rows[0][0].startswith("# naranu 集計データ；実施回 ")
    assert rows[3][:2] == ["# 指標", "行動指針・設問"]
    assert rows[4][:2] == ["measure", "title"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_is_english_with_lang_en(login, wave_id: int, fmt: str) -> None:
    rows = download(login("hr"), wave_id, fmt, "?lang=en")
    assert rows[0][0].startswith("# naranu aggregate export; wave ")
    assert rows[3][:2] == ["# Measure", "Principle or question"]
    assert rows[4][:2] == ["measure", "title"]


def test_download_follows_the_language_the_page_was_switched_to(login, wave_id: int) -> None:
    client = login("hr")
    page = client.get("/hr/?lang=en").get_data(as_text=True)
    assert "Files are written in the language of this page" in page
    assert download(client, wave_id, "csv")[0][0].startswith("# naranu aggregate export")
    page = client.get("/hr/?lang=ja").get_data(as_text=True)
    assert "ファイルの注記・列の見出し・非表示の理由は、このページの言語で書かれます" in page
    assert download(client, wave_id, "csv")[0][0].startswith("# naranu 集計データ")


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
