"""Read links of the staff results pages ("what we heard, what we are doing").

An internet-facing install must not publish results to anyone who guesses an address, so each
page is read with a key: ``key = base64url(HMAC-SHA256(TOKEN_KEY, "naranu-results" ‖ quarter ‖
unit))`` truncated to 128 bits.  The key lives where the invitation tokens' key lives
(``instance/config.py``, never the database), the invitation mail and the thank-you page carry
the organisation's "latest" link, and ``flask --app app results links QUARTER`` prints the others.
Rotating TOKEN_KEY retires every link at once.  Pure: no Flask, no database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import quote

from survey.units.paths import path_text, unit_key

#: The quarter label of the link that always shows the latest published quarter.
LATEST = "latest"


def results_key(token_key: str, quarter: str, unit: Sequence[str] = ()) -> str:
    """The read key of one results page (``unit=()`` is the organisation's)."""
    message = f"naranu-results\x00{quarter}\x00{unit_key(unit)}".encode()
    digest = hmac.new(bytes.fromhex(token_key), message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def key_matches(token_key: str, quarter: str, unit: Sequence[str], key: str) -> bool:
    """Whether ``key`` reads the page of ``quarter`` and ``unit`` (constant-time)."""
    return hmac.compare_digest(results_key(token_key, quarter, unit), key)


def results_path(token_key: str, quarter: str, unit: Sequence[str] = ()) -> str:
    """The page's path with its key: ``/results/FY2026Q3/総務部/総務課?key=…``."""
    tail = f"/{quote(path_text(unit))}" if unit else ""
    return f"/results/{quarter}{tail}?key={results_key(token_key, quarter, unit)}"
