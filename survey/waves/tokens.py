"""Invitation tokens: derived with a key kept outside the database, stored only as a hash.

token = base64url(HMAC-SHA256(token_key, wave public id ‖ employee id)) — 256 bits.  Only
SHA-256(token) is stored.  Without the key (which lives in ``instance/config.py``, not in the
database) nobody holding the database and the roster can tell whose token was spent; the system
itself can recompute a person's token to send a reminder (docs/anonymity.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def derive_token(token_key: str, wave_public_id: str, employee_id: str) -> str:
    """The invitation token of one person for one wave."""
    message = f"naranu-invitation\x00{wave_public_id}\x00{employee_id}".encode()
    digest = hmac.new(bytes.fromhex(token_key), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    """Cheap shape check before touching the database."""
    return bool(TOKEN_PATTERN.match(token))
