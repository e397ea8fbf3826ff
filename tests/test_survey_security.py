"""Security properties of the running app: CSRF on every state change, login rate limiting shared
across workers, argon2id parameters, upload size, headers, cookie flags, secrets, log redaction."""

from __future__ import annotations

import logging
import re
import shutil
import stat
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.app_config import ensure_instance_secrets
from survey.auth.passwords import hash_password
from survey.logging import RedactingFilter, init_logging, redact
from tests.conftest import PASSWORD, ROOT

TOKEN_PATH = "/s/cFnolkxIefAGsagElEP1JpL4iB925z3jhdY_tw13dic"
SAMPLE_ARGS = {"token": TOKEN_PATH.removeprefix("/s/"), "wave_id": 1, "item_id": 1, "user_id": 1,
               "quarter": "FY2026Q1", "filename": "naranu.css", "plan_id": 1}


def post_routes(app: Flask) -> list[str]:
    """A URL for every rule that accepts POST, with sample arguments filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or set()):
            urls.append(rule.build({k: SAMPLE_ARGS[k] for k in rule.arguments})[1])
    return sorted(urls)


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def sign_in(client: FlaskClient, user: Any) -> None:
    """Sign in through the login form, CSRF token included."""
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


# --- CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [None, "admin", "leadership", "hr", "unit-head"])
def test_every_post_without_csrf_token_is_rejected(
    make_app: Callable[..., Flask], make_user: Callable[..., Any], role: str | None,
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    if role:
        sign_in(client, make_user(role))
    urls = post_routes(app)
    assert "/login" in urls and "/logout" in urls and TOKEN_PATH in urls
    for url in urls:
        response = client.post(url, data={"email": "a@b.jp", "password": "x" * 12})
        assert response.status_code == 400, (url, response.status_code)
        assert b"Traceback" not in response.data


def test_a_post_with_the_token_passes_csrf(make_app: Callable[..., Flask], make_user) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in(client, make_user("hr"))  # asserts the redirect after a valid POST
    assert client.get("/hr/").status_code == 200


# --- login rate limiting ----------------------------------------------------------------------

def redis_url() -> str:
    """The Redis database the rate-limit tests use; skips when nothing answers."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/3"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return url


def failed_logins(client: FlaskClient, count: int) -> list[int]:
    return [client.post("/login", data={"email": "nobody@example.jp",
                                        "password": "wrong password"}).status_code
            for _ in range(count)]


def test_login_limit_holds_across_two_workers_sharing_redis(
    make_app: Callable[..., Flask],
) -> None:
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url(),
                "RATELIMIT_LOGIN": "4 per minute",
                "RATELIMIT_KEY_PREFIX": f"naranu-test-{uuid.uuid4().hex}"}
    first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
    codes = []
    for _ in range(3):  # alternate between the two "workers"
        codes += failed_logins(first, 1) + failed_logins(second, 1)
    assert codes[:4] == [200] * 4
    assert codes[4:] == [429, 429]
    limited = first.post("/login", data={"email": "x@y.jp", "password": "p"})
    assert b"Traceback" not in limited.data
    assert first.get("/login").status_code == 200  # only POST is limited


def test_login_limit_with_memory_storage_is_per_process(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute",
                   RATELIMIT_STORAGE_URI="memory://")
    assert failed_logins(app.test_client(), 4) == [200, 200, 200, 429]


def test_proxy_fix_keys_the_limit_on_the_client_address(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute",
                   RATELIMIT_STORAGE_URI="memory://", PROXY_FIX=1)
    client = app.test_client()

    def attempt(address: str) -> int:
        return client.post("/login", data={"email": "a@b.jp", "password": "p"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.5") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.7") == 200  # another member of staff is not locked out


# --- passwords --------------------------------------------------------------------------------

def argon2_parameters(encoded: str) -> dict[str, int]:
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", encoded)
    assert match, encoded
    return dict(zip("mtp", map(int, match.groups()), strict=True))


def test_passwords_are_argon2id_with_owasp_parameters(make_user: Callable[..., Any]) -> None:
    stored = make_user("admin").password_hash
    params = argon2_parameters(stored)
    # OWASP Password Storage Cheat Sheet: m=47104/t=1, 19456/2, 12288/3, 9216/4, 7168/5 (KiB).
    owasp_minimum_memory = {1: 47104, 2: 19456, 3: 12288, 4: 9216, 5: 7168}
    assert params["m"] >= owasp_minimum_memory[min(params["t"], 5)]
    assert params["p"] >= 1
    assert hash_password("same password") != hash_password("same password")  # salted


# --- request size, headers, cookies -----------------------------------------------------------

def test_an_oversized_body_gets_the_413_page(make_app: Callable[..., Flask]) -> None:
    client = make_app(MAX_CONTENT_LENGTH=1024, ANSWER_MAX_BYTES=1024,
                      WTF_CSRF_ENABLED=True).test_client()
    for url in ("/login", TOKEN_PATH, "/roster"):
        response = client.post(url, data={"password": "x" * 4096})
        assert response.status_code == 413, url
        assert b"<html" in response.data and b"Traceback" not in response.data


@pytest.mark.parametrize("path", ["/", "/login", TOKEN_PATH, "/no-such-page"])
def test_security_headers_on_every_kind_of_page(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(client: FlaskClient) -> None:
    response = client.get("/", base_url="https://survey.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_answer_links_are_not_cached(client: FlaskClient) -> None:
    assert client.get(TOKEN_PATH).headers["Cache-Control"] == "no-store"


def session_cookie(app: Flask) -> str:
    client = app.test_client()
    response = client.get("/login")  # the CSRF token goes into the session
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[0]


def test_session_cookie_flags(make_app: Callable[..., Flask]) -> None:
    cookie = session_cookie(make_app(WTF_CSRF_ENABLED=True))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey.app_config import environment_overrides

    monkeypatch.setenv("NARANU_SECURE_COOKIES", "1")
    app = make_app(WTF_CSRF_ENABLED=True, **environment_overrides())
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    cookie = session_cookie(app)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- secrets --------------------------------------------------------------------------------------

def test_secret_key_is_generated_private_and_stable(tmp_path: Path) -> None:
    path = ensure_instance_secrets(str(tmp_path / "instance"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    body = path.read_text()
    assert re.search(r"^SECRET_KEY = '[0-9a-f]{64}'$", body, re.M)
    assert re.search(r"^TOKEN_KEY = '[0-9a-f]{64}'$", body, re.M)
    assert ensure_instance_secrets(str(tmp_path / "instance")).read_text() == body


def test_instance_secrets_are_ignored_by_git() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for name in ("instance/config.py", "instance/naranu.sqlite3"):
        result = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False)
        assert result.returncode == 0, f"{name} is not git-ignored"


# --- logs ---------------------------------------------------------------------------------------

def test_redaction_of_request_log_lines() -> None:
    line = redact('203.0.113.9 - - [27/Nov/2026 10:40:30] "POST ' + TOKEN_PATH + '?lang=ja '
                  'HTTP/1.1" 200 - from 2001:db8::7 ([parameters: (\'窓口の対応\', 4)])')
    assert "cFnolkx" not in line and "203.0.113.9" not in line and "2001:db8" not in line
    assert "窓口" not in line
    assert "[27/Nov/2026 10:40:30]" in line and '"POST /s/[link] HTTP/1.1" 200' in line


def test_werkzeug_and_app_records_are_redacted(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    init_logging(app)
    caplog.set_level(logging.INFO)
    for name in ("werkzeug", app.logger.name):  # alembic's fileConfig (init-db) disables them
        logging.getLogger(name).disabled = False
    logging.getLogger("werkzeug").info('%s - - [%s] %s', "10.1.2.3", "now",
                                       f'"GET {TOKEN_PATH} HTTP/1.1" 200 -')
    try:
        raise ValueError(f"failed on {TOKEN_PATH} item_3=5")
    except ValueError:
        app.logger.exception("unhandled")
    text = caplog.text
    assert "10.1.2.3" not in text and "cFnolkx" not in text and "item_3=5" not in text
    assert "/s/[link]" in text


def test_create_app_installs_the_redacting_filter(make_app: Callable[..., Flask]) -> None:
    werkzeug = logging.getLogger("werkzeug")
    for existing in [f for f in werkzeug.filters if isinstance(f, RedactingFilter)]:
        werkzeug.removeFilter(existing)
    make_app()
    werkzeug_filters = werkzeug.filters
    assert any(isinstance(f, RedactingFilter) for f in werkzeug_filters), (
        "create_app must call survey.logging.init_logging(app)")


def test_pages_for_a_signed_in_account_are_not_stored(
    app: Flask, login: Callable[[str], FlaskClient],
) -> None:
    from survey.db import db
    from survey.demo import DemoSpec, seed_demo
    from tests.conftest import TOKEN_KEY

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=60, waves=3, seed=1), TOKEN_KEY)
    client = login("leadership")
    for path in ("/reports/", "/reports/FY2026Q3", "/reports/FY2026Q3.pdf",
                 "/api/v1/reports/FY2026Q3", "/reports/waves/1"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
        assert "private" in response.headers["Cache-Control"], path
    assert "no-store" not in client.get("/static/naranu.css").headers.get("Cache-Control", "")
    assert "Cache-Control" not in app.test_client().get("/login").headers  # strangers: public
