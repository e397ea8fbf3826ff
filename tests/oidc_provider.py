"""A real OpenID Connect provider for the tests: ``oidc-provider-mock`` in its own process.

It serves discovery, its signing keys (JWKS), the authorization page and the token endpoint
(authorization code grant with PKCE, RS256-signed ID tokens) on a loopback port, under uvicorn,
as ``python -m oidc_provider_mock`` does for a developer.  A process of its own keeps its logs
and its library's deprecation notices out of the test run, and makes naranu reach it over HTTP
only, as it reaches Entra ID or Google.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_provider(log: Path, token_max_age: int = 3600) -> Iterator[str]:
    """Start a provider (nonce required, as Entra ID does); yields its issuer URL."""
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1",
             "--port", str(port), "--require-nonce", "--token-max-age", str(token_max_age)],
            stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_ready(issuer, process, log)
            yield issuer
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_ready(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited: {log.read_text()}")
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"the OIDC provider did not start: {log.read_text()}")


def register_client(issuer: str, redirect_uri: str) -> dict[str, Any]:
    """Register naranu with the provider (the town hall's IT does this in the Entra portal)."""
    response = requests.post(f"{issuer}/oauth2/clients", json={"redirect_uris": [redirect_uri]},
                             timeout=10)
    response.raise_for_status()
    return dict(response.json())


def provider_user(issuer: str, sub: str, **claims: Any) -> str:
    """Give the provider an account ``sub`` with these claims; returns ``sub``."""
    requests.put(f"{issuer}/users/{sub}", json=claims, timeout=10).raise_for_status()
    return sub


def approve(authorize_url: str, sub: str) -> str:
    """Sign in as ``sub`` on the provider's authorization page; returns where it sends the
    browser back (the redirect URI with ``code`` and ``state``)."""
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise AssertionError(f"the provider refused: {answer.status_code} {answer.text}")
    return answer.headers["Location"]


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
