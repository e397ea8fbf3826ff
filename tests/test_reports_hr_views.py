"""The HR export page: roles, downloads, the public log, CSRF."""

from __future__ import annotations

import pytest
from flask import Flask

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
    assert f"Export made: {kind} of round" in log


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
