"""Login limits: shared by worker processes through the default file store, and per account."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from survey.app_config import ratelimit_storage_url
from tests.conftest import PASSWORD, ROOT


def failed_logins(client: FlaskClient, count: int, email: str = "nobody@example.jp",
                  address: str | None = None) -> list[int]:
    headers = {"X-Forwarded-For": address} if address else {}
    return [client.post("/login", data={"email": email, "password": "wrong password"},
                        headers=headers).status_code for _ in range(count)]


WORKER = """
import json, sys
sys.path[:0] = [{root!r}, {tests!r}]
from tests.conftest import base_config
from app import create_app
app = create_app(base_config({database!r}, **json.loads({settings!r})))
client = app.test_client()
print(json.dumps([client.post("/login", data={{"email": "nobody@example.jp",
                                              "password": "wrong password"}}).status_code
                  for _ in range(2)]))
"""


def test_the_default_store_is_shared_by_worker_processes(database_url: str,
                                                         tmp_path: Path) -> None:
    """Two failed tries in one worker process, two in another: the fourth is over a limit of
    three.  Both are fresh processes, as gunicorn's workers are (the test process has built
    many apps on the one Flask-Limiter instance before)."""
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per day",
                "RATELIMIT_STORAGE_URI": ratelimit_storage_url(
                    "sqlite:///" + str(tmp_path / "db.sqlite3"), str(tmp_path))}
    script = WORKER.format(root=str(ROOT), tests=str(ROOT / "tests"), database=database_url,
                           settings=json.dumps(settings))

    def worker() -> list[int]:
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             timeout=120, cwd=ROOT, check=False)
        assert run.returncode == 0, run.stderr[-2000:]
        return json.loads(run.stdout.strip().splitlines()[-1])

    assert worker() == [200, 200]
    assert worker() == [200, 429]


def test_an_app_without_a_configured_store_uses_the_shared_file(
    make_app: Callable[..., Flask], database_url: str,
) -> None:
    app = make_app(RATELIMIT_STORAGE_URI=None)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("naranu+sqlite:///")
    if database_url.startswith("sqlite:///"):
        assert app.config["RATELIMIT_STORAGE_URI"].endswith(
            database_url.removeprefix("sqlite:///") + "-ratelimit")


def test_failed_tries_are_limited_per_account_across_addresses(
    make_app: Callable[..., Flask], make_user: Callable[..., Any], tmp_path: Path,
) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="100 per minute",
                   RATELIMIT_LOGIN_ACCOUNT="3 per day", PROXY_FIX=1,
                   RATELIMIT_STORAGE_URI=f"naranu+sqlite:///{tmp_path / 'counters'}")
    user = make_user("hr")
    client = app.test_client()
    tries = [failed_logins(client, 1, user.email, f"198.51.100.{n}")[0] for n in range(4)]
    assert tries == [200, 200, 200, 429]
    assert failed_logins(client, 1, "other@example.jp", "198.51.100.9") == [200]
    assert client.post("/login", data={"email": user.email.upper(), "password": PASSWORD},
                       headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429


def test_successful_sign_ins_do_not_use_up_the_account_limit(
    make_app: Callable[..., Flask], make_user: Callable[..., Any], tmp_path: Path,
) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="100 per minute",
                   RATELIMIT_LOGIN_ACCOUNT="2 per minute",
                   RATELIMIT_STORAGE_URI=f"naranu+sqlite:///{tmp_path / 'counters'}")
    user = make_user("hr")
    for _ in range(4):
        client = app.test_client()
        assert client.post("/login", data={"email": user.email,
                                           "password": PASSWORD}).status_code == 302
