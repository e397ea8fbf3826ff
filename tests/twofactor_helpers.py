"""Helpers for two-factor tests: enrol through the pages, make codes as an authenticator app."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import pyotp

SECRET_ON_PAGE = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
RECOVERY_ON_PAGE = re.compile(r"<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>")
STEP = 30


def steady() -> None:
    """Wait out the last seconds of a 30-second step, so a code made now is checked in the same
    step by the server (tests about ±1 and ±2 steps must not straddle a boundary)."""
    if STEP - time.time() % STEP < 3:
        time.sleep(STEP - time.time() % STEP + 0.1)


def code(secret: str, steps: int = 0) -> str:
    """The code an app shows ``steps`` steps from now (an app whose clock is off)."""
    return pyotp.TOTP(secret).at(time.time() + steps * STEP)


def enrol(client: Any, steps: int = 0) -> tuple[str, list[str]]:
    """Set up two-factor sign-in for the signed-in client; returns (secret, recovery codes)."""
    assert client.post("/account/two-factor/setup").status_code == 302
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    steady()
    done = client.post("/account/two-factor/confirm", data={"code": code(secret, steps)})
    assert done.status_code == 200, done.get_data(as_text=True)[:800]
    codes = RECOVERY_ON_PAGE.findall(html.unescape(done.get_data(as_text=True)))
    return secret, codes
