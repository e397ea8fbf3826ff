"""Will the invitation links work?  Compare the configured public base URL with this server.

Links are built from ``PUBLIC_BASE_URL`` (never from a request: mail is written by the worker,
and a forwarded host must not change what others receive).  So a wrong setting sends every
invitee to a dead address; the admin page says so when the address it was itself opened at
differs from the links' address, or when the links point at this machine only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
EXAMPLE_TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE"  # 43 characters, like a token


@dataclass(frozen=True)
class LinkCheck:
    """What the admin page shows: an example link and any problem with the base URL."""

    example: str
    problem: str | None  # "invalid", "loopback" or "elsewhere"
    opened_at: str


def _origin(url: str) -> tuple[str, str, int | None] | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return parts.scheme, parts.hostname.lower(), port


def check_links(base_url: str, opened_at: str) -> LinkCheck:
    """Check ``base_url`` against ``opened_at``, the root URL this page was requested at."""
    example = f"{base_url.rstrip('/')}/s/{EXAMPLE_TOKEN}"
    links, here = _origin(base_url), _origin(opened_at)
    if links is None:
        return LinkCheck(example, "invalid", opened_at)
    if links[1] in LOOPBACK and (here is None or here[1] not in LOOPBACK):
        return LinkCheck(example, "loopback", opened_at)
    if here is not None and links != here:
        return LinkCheck(example, "elsewhere", opened_at)
    return LinkCheck(example, None, opened_at)
