"""Power-cut test: gunicorn on SQLite is killed with SIGKILL in the middle of survey-day load.

After every restart: each answer that got the thank-you page is stored (its invitation is spent
and there are at least as many responses as acknowledgements), no invitation is spent without
its response or the other way round, and ``PRAGMA integrity_check`` says ok.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CONFIG_ENV = "NARANU_CRASH_CONFIG"
STAFF = 300
ROUNDS = 3
CLIENTS = 12


def crash_app() -> Any:
    """The WSGI app gunicorn serves in this test (configured through the environment)."""
    from app import create_app

    return create_app(json.loads(os.environ[CONFIG_ENV]))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(config: dict[str, Any], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with the project settings (2 workers) in its own process group."""
    port = free_port()
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="2",
               **{CONFIG_ENV: json.dumps(config)})
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
         "--pythonpath", str(ROOT / "tests"), "test_survey_crash:crash_app()"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log.open("ab"),
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/", timeout=2)
            return process, url
        except requests.RequestException:
            time.sleep(0.2)
    kill(process)
    pytest.fail("gunicorn did not start: " + log.read_text()[-2000:])


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the master and every worker at once (a power cut, as far as the app can tell)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture()
def prepared(tmp_path: Path) -> Iterator[tuple[dict[str, Any], str, int, list[str], list[str]]]:
    """A migrated SQLite file with a wave open for STAFF: (config, path, wave id, links, fields)."""
    import datetime as dt

    from app import create_app
    from survey.answering.forms import field_name
    from survey.answering.services import wave_items
    from survey.db import db
    from survey.org_settings import current_thresholds, group_hierarchy
    from survey.principles.services import survey_by_name
    from survey.roster.services import import_roster
    from survey.waves.services import WavePlan, invitation_links, open_wave, today
    from tests.conftest import SECRET, TOKEN_KEY, roster_rows

    path = tmp_path / "crash.sqlite3"
    config = {"SECRET_KEY": SECRET, "TOKEN_KEY": TOKEN_KEY, "WTF_CSRF_ENABLED": False,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    app = create_app(config)
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        import_roster(db.session, roster_rows(STAFF))
        wave = open_wave(db.session, survey_by_name(db.session, None),
                         WavePlan("crash", today(), today() + dt.timedelta(days=7)),
                         current_thresholds(db.session), group_hierarchy(db.session), TOKEN_KEY)
        db.session.commit()
        links = [link.removeprefix("http://x") for _e, link in
                 invitation_links(db.session, wave, TOKEN_KEY, "http://x")]
        names = [field_name(item) for item in wave_items(db.session, wave)]
        wave_id = wave.id
        db.session.remove()
        db.engine.dispose()
    yield config, str(path), wave_id, links, names


def check_database(path: str, wave_id: int, acknowledged: list[str]) -> int:
    """Assert the invariants on the file as the crash left it; returns the response count."""
    from survey.waves.tokens import hash_token

    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        responses = connection.execute(
            "SELECT count(*) FROM response WHERE wave_id = ?", (wave_id,)).fetchone()[0]
        spent = connection.execute(
            "SELECT count(*) FROM invitation WHERE wave_id = ? AND spent", (wave_id,)).fetchone()[0]
        orphans = connection.execute(
            "SELECT count(*) FROM answer WHERE response_id NOT IN (SELECT id FROM response)"
        ).fetchone()[0]
        unspent_acknowledged = [
            token for token in acknowledged if not connection.execute(
                "SELECT spent FROM invitation WHERE token_hash = ?",
                (hash_token(token.removeprefix("/s/")),)).fetchone()[0]]
    finally:
        connection.close()
    assert spent == responses, f"{spent} invitations spent but {responses} responses stored"
    assert responses >= len(acknowledged), f"{len(acknowledged)} acknowledged, {responses} stored"
    assert not unspent_acknowledged, "acknowledged answers whose link is not spent"
    assert orphans == 0
    return responses


def test_answers_survive_sigkill_of_the_server(prepared, tmp_path: Path) -> None:
    config, path, wave_id, links, names = prepared
    log = tmp_path / "gunicorn.log"
    rng = random.Random(7)
    pending = list(links)
    acknowledged: list[str] = []
    lock = threading.Lock()

    def answer(url: str, link: str) -> None:
        data = {name: str(rng.randint(1, 5)) for name in names[:-2]}
        try:
            response = requests.post(url + link, data=data, timeout=10)
        except requests.RequestException:
            return  # the server died under this request: no acknowledgement
        if response.status_code == 200:
            with lock:
                acknowledged.append(link)

    for round_number in range(ROUNDS):
        process, url = start_server(config, log)
        batch, pending = pending[:STAFF // (ROUNDS + 1)], pending[STAFF // (ROUNDS + 1):]
        with ThreadPoolExecutor(CLIENTS) as pool:
            for link in batch:
                pool.submit(answer, url, link)
            time.sleep(0.4 + 0.3 * round_number)  # kill somewhere in the middle of the batch
            kill(process)
        stored = check_database(path, wave_id, acknowledged)
        assert 0 < len(acknowledged) <= stored, (round_number, len(acknowledged), stored)

    # After the last crash the server starts again and carries on taking answers.
    process, url = start_server(config, log)
    try:
        fresh = pending[0]
        assert requests.get(url + fresh, timeout=10).status_code == 200
        answer(url, fresh)
        assert fresh in acknowledged
    finally:
        kill(process)
    check_database(path, wave_id, acknowledged)
    assert "Traceback" not in log.read_text()
