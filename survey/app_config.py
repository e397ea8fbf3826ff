"""Application configuration: defaults, environment overrides and the instance folder's secrets.

Settings are read when the application is created, never at import time.  Secrets live in
``instance/config.py``, generated on first run and ignored by git.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "BABEL_DEFAULT_LOCALE": "ja",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    "LANGUAGES": ("ja", "en"),
    "FISCAL_YEAR_START_MONTH": 4,
    "MIN_GROUP_SIZE": 5,
    "MIN_COMMENT_GROUP_SIZE": 10,
    "PRACTICAL_SCORE_POINTS": 5.0,
    "PRACTICAL_FAVOURABLE_POINTS": 5.0,
    "PRACTICAL_ENPS_POINTS": 10.0,
    # Every form fits in 64 KiB; the answering page and the roster upload declare their own
    # larger limits (survey.input_guard), so strangers cannot make a worker parse megabytes.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,  # a text field; werkzeug reads multipart in 64 KiB
    "MAX_FORM_PARTS": 1000,
    "ANSWER_MAX_BYTES": 256 * 1024,
    "ROSTER_MAX_BYTES": 20 * 1024 * 1024,
    "ROSTER_MAX_ROWS": 200_000,
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "naranu@localhost",
    # RATELIMIT_STORAGE_URI: unset = a counter file beside the database (survey.ratelimit)
    # The worker's pace and patience (survey.mail.worker): relays throttle fast senders, and
    # a temporary refusal is retried after 1, 2, 4 … minutes before the row is failed.
    "MAIL_RATE": 10.0,
    "MAIL_RETRY_SECONDS": 60.0,
    "MAIL_MAX_ATTEMPTS": 6,
    "MAIL_IDLE_SECONDS": 10.0,
    "PROXY_FIX": 0,
    "RATELIMIT_LOGIN": "10 per minute",
    "RATELIMIT_LOGIN_ACCOUNT": "5 per minute;30 per hour",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": 4 * 3600,
    # A staff session ends after 30 idle minutes and, however busy, after 12 hours; the cookie
    # signature itself expires then too (survey.auth.sessions).
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # Between a correct password and the two-factor code (survey.twofactor.pending).
    "TWOFACTOR_PENDING_SECONDS": 300,
    # hide_parameters: database errors and echo logs never carry answers or token hashes.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    # Sign-in through the organisation's identity provider (survey.auth.oidc_settings): off
    # while OIDC_ISSUER is unset.  OIDC_ONLY keeps password sign-in for administrators only.
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    "OIDC_DISPLAY_NAME": None,
    "OIDC_EMAIL_CLAIM": "email",
    "OIDC_ALLOWED_DOMAINS": (),
    "OIDC_ONLY": False,
}

#: Environment variables that override a setting (read in create_app, not at import).
ENVIRONMENT = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "NARANU_PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    "NARANU_MAIL_SERVER": "MAIL_SERVER",
    "NARANU_MAIL_PORT": "MAIL_PORT",
    "NARANU_MAIL_FROM": "MAIL_FROM",
    "NARANU_MAIL_USE_TLS": "MAIL_USE_TLS",
    "NARANU_MAIL_USERNAME": "MAIL_USERNAME",
    "NARANU_MAIL_PASSWORD": "MAIL_PASSWORD",
    "NARANU_MAIL_RATE": "MAIL_RATE",
    "NARANU_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "NARANU_SECURE_COOKIES": "SESSION_COOKIE_SECURE",
    "NARANU_PROXY_FIX": "PROXY_FIX",
    "NARANU_OIDC_ISSUER": "OIDC_ISSUER",
    "NARANU_OIDC_CLIENT_ID": "OIDC_CLIENT_ID",
    "NARANU_OIDC_CLIENT_SECRET": "OIDC_CLIENT_SECRET",
    "NARANU_OIDC_DISPLAY_NAME": "OIDC_DISPLAY_NAME",
    "NARANU_OIDC_EMAIL_CLAIM": "OIDC_EMAIL_CLAIM",
    "NARANU_OIDC_ALLOWED_DOMAINS": "OIDC_ALLOWED_DOMAINS",
    "NARANU_OIDC_ONLY": "OIDC_ONLY",
}


def environment_overrides(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings taken from the environment (``DATABASE_URL`` and ``NARANU_*``)."""
    environ = dict(os.environ if environ is None else environ)
    overrides: dict[str, Any] = {}
    for variable, setting in ENVIRONMENT.items():
        if environ.get(variable):
            overrides[setting] = _coerce(setting, environ[variable])
    url = overrides.get("SQLALCHEMY_DATABASE_URI", "")
    if url.startswith(("postgres://", "postgresql://")):
        overrides["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.split("://", 1)[1]
    return overrides


def engine_options(url: str, options: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options for ``url``: no pre-ping on an SQLite file.

    Pre-ping (a ``SELECT 1`` at every checkout) guards against server connections dropped by a
    restart or a firewall; an SQLite connection is a file handle that cannot go stale, so there
    it would only add a query to every request.
    """
    if url.startswith("sqlite"):
        return {**options, "pool_pre_ping": False}
    return options


def _coerce(setting: str, value: str) -> Any:
    if setting in ("MAIL_PORT", "PROXY_FIX"):
        return int(value)
    if setting == "MAIL_RATE":
        return float(value)
    if setting in ("SESSION_COOKIE_SECURE", "MAIL_USE_TLS", "OIDC_ONLY"):
        return value.lower() in {"1", "true", "yes"}
    return value


def ensure_instance_secrets(instance_path: str) -> Path:
    """Create ``instance/config.py`` with random SECRET_KEY, TOKEN_KEY and TWOFACTOR_KEY.

    The token key derives invitation tokens; it stays out of the database so that a copy of the
    database and the roster cannot tell who answered (docs/anonymity.md).  The two-factor key
    encrypts the accounts' TOTP secrets (survey.twofactor.vault) for the same reason: a copy of
    the database alone yields no second factor.  A file written before a key existed gets it
    appended.
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.py"
    if path.exists():
        for name in INSTANCE_SECRETS:
            _add_missing_secret(path, name)
        return path
    body = "# Generated on first run. Keep secret; never commit.\n" + "".join(
        f"{name} = {secrets.token_hex(32)!r}\n" for name in INSTANCE_SECRETS)
    # Write aside, then link into place: several workers starting at once agree on one file.
    temporary = folder / f".config.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path


#: The random keys ``instance/config.py`` holds.
INSTANCE_SECRETS = ("SECRET_KEY", "TOKEN_KEY", "TWOFACTOR_KEY")


def _add_missing_secret(path: Path, name: str) -> None:
    """Append a random ``name`` to an existing config file that lacks it.

    Under an exclusive lock, re-reading the file first: workers starting at once agree on one key.
    """
    assignment = re.compile(rf"^{name}\s*=", re.MULTILINE)
    if assignment.search(path.read_text(encoding="utf-8")):
        return
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        if not assignment.search(text):
            handle.write(("" if text.endswith("\n") or not text else "\n")
                         + f"{name} = {secrets.token_hex(32)!r}\n")
            handle.flush()
            os.fsync(handle.fileno())


def sqlite_url(instance_path: str) -> str:
    """The embedded default database inside the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "naranu.sqlite3")


def ratelimit_storage_url(database_url: str, instance_path: str) -> str:
    """The login counters' default store (survey.ratelimit): a file every worker shares.

    Beside an SQLite database file (each database keeps its own counters); for a server
    database, in the instance folder.
    """
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        return f"naranu+sqlite:///{database_url.removeprefix('sqlite:///')}-ratelimit"
    return f"naranu+sqlite:///{Path(instance_path) / 'ratelimit.sqlite3'}"
