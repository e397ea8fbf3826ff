"""Log attack: drive the app at DEBUG on every logger; no token, IP or answer may be written.

Covers the test client (Flask, SQLAlchemy, Flask-Login, …) and a real werkzeug server, whose
request log is the classic leak (``<ip> - - "GET /s/<token>"``).
"""

from __future__ import annotations

import logging
import threading
import urllib.request

import pytest
from flask import Flask
from werkzeug.serving import make_server

from survey.answering.services import wave_items
from survey.db import db
from survey.models import ItemKind, Wave
from survey.waves.tokens import hash_token

CLIENT_IP = "203.0.113.77"
ANSWER_TEXT = "ひみつの回答テキスト-7f3a"


def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ["werkzeug", "sqlalchemy", "sqlalchemy.engine", "flask.app",
                 *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


def answer_form(app: Flask, wave_id: int) -> dict[str, str]:
    with app.app_context():
        items = wave_items(db.session, db.session.get(Wave, wave_id))
        return {f"item_{i.id}": (ANSWER_TEXT if i.kind == ItemKind.COMMENT else
                                 "7" if i.kind == ItemKind.NPS11 else "4") for i in items}


def test_no_token_ip_or_answer_in_any_log_line(app: Flask, client, open_wave, login,
                                               caplog: pytest.LogCaptureFixture) -> None:
    every_logger_at_debug(caplog)
    wave_id, links = open_wave(label="log-attack")
    tokens = [link.rsplit("/", 1)[1] for link in links]
    environ = {"REMOTE_ADDR": CLIENT_IP}
    form = answer_form(app, wave_id)
    for link in links[:6]:
        assert client.get(link, environ_base=environ).status_code == 200
        assert client.post(link, data=form, environ_base=environ).status_code == 200
    client.post(links[0], data=form, environ_base=environ)  # spent link
    client.get("/s/" + "x" * 43, environ_base=environ)  # unknown link
    _real_server_request(app, links[6])
    admin = login("admin")
    admin.post(f"/admin/waves/{wave_id}/close", data={"confirmed": "1"}, environ_base=environ)
    hr = login("hr")
    hr.post("/hr/export", environ_base=environ,
            data={"wave": wave_id, "kind": "responses", "fmt": "csv", "comments": "y"})
    text = log_text(caplog)
    assert caplog.records, "nothing was captured: the test would prove nothing"
    for token in tokens:
        assert token not in text and hash_token(token) not in text
    assert CLIENT_IP not in text and "127.0.0.1" not in text
    assert ANSWER_TEXT not in text


def _real_server_request(app: Flask, path: str) -> None:
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}") as reply:
        assert reply.status == 200
    thread.join(timeout=10)
    server.server_close()
