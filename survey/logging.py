"""Log redaction: no invitation token, IP address or answer ever reaches a log line.

werkzeug's request log writes ``<client ip> - - [...] "GET /s/<token> HTTP/1.1" 200``; gunicorn's
error log names failing paths; SQLAlchemy errors carry ``[parameters: …]`` with answer text and
token hashes.  :class:`RedactingFilter` rewrites every record before any handler formats it
(message, arguments and traceback text alike), and :func:`init_logging` installs it on the
loggers that can carry request data and on every handler of the root logger.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

REDACTED_LINK = "/s/[link]"
REDACTED_IP = "[ip]"
REDACTED_SECRET = "[secret]"

_IPV6_GROUP = r"[0-9A-Fa-f]{1,4}"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # The path of an answer link, with any query string: the token is the credential.
    (re.compile(r"/s/[^\s\"'<>]*"), REDACTED_LINK),
    # SQLAlchemy error texts: bound values are answers, comments, token hashes.
    (re.compile(r"\[parameters: [^\n]*"), "[parameters: redacted]"),
    # Posted answer fields, passwords and sign-in codes, should a form body or query string
    # ever be logged.
    (re.compile(r"\b(item_\d+|csrf_token|password|code)=[^&\s]*"), r"\1=[redacted]"),
    # IPv4, and IPv6 in full or ``::`` form (the latter needs the ``::`` so times stay intact).
    (re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"), REDACTED_IP),
    (re.compile(rf"(?<![\w:])(?:{_IPV6_GROUP}:){{7}}{_IPV6_GROUP}(?![\w:])"), REDACTED_IP),
    (re.compile(
        rf"(?<![\w:])(?:{_IPV6_GROUP}(?::{_IPV6_GROUP})*)?::(?:{_IPV6_GROUP}(?::{_IPV6_GROUP})*)?"
        rf"(?![\w:])"), REDACTED_IP),
    # Anything shaped like a token, token hash or key (32+ URL-safe characters in a row).
    (re.compile(r"(?<![\w-])[A-Za-z0-9_-]{32,}(?![\w-])"), REDACTED_SECRET),
)

#: Loggers that see request data: werkzeug's and gunicorn's request logs, SQL errors.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "sqlalchemy",
                   "sqlalchemy.engine", "sqlalchemy.engine.Engine", "flask.app")


def redact(text: str) -> str:
    """``text`` with links, IP addresses, answer fields and token-shaped strings replaced."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrite a record's message and traceback text through :func:`redact` (never drops it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call still gets logged, as its bare template
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_redaction(*logger_names: str) -> None:
    """Put the redacting filter on the named loggers and on every root handler (idempotent)."""
    loggers = [logging.getLogger(name) for name in (*REQUEST_LOGGERS, *logger_names)]
    targets: list[logging.Filterer] = [*loggers, logging.getLogger()]
    for logger in [*loggers, logging.getLogger()]:
        targets.extend(logger.handlers)
    for target in targets:
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)


def init_logging(app: Flask) -> None:
    """Redact every log line the app, werkzeug, gunicorn or SQLAlchemy can write."""
    install_redaction(app.logger.name)
    for handler in app.logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
