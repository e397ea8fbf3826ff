"""Access links: how an invited (or reset) account's holder sets a password, once.

The link is signed with SECRET_KEY (itsdangerous) and carries the account id and a digest of
its current password hash.  Setting a password changes the hash, so a used link, or one from
before a later reset, no longer matches; links also expire after ``MAX_AGE`` seconds.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, URLSafeTimedSerializer

from survey.models import User

MAX_AGE = 7 * 24 * 3600
SALT = "naranu-access-link"


def _digest(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(secret_key: str, user: User) -> str:
    """The signed token of a user's access link."""
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"u": user.id, "h": _digest(user)})


def read_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """(account id, hash digest) of a valid, unexpired token, else None."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("h"))


def matches(user: User | None, digest: str) -> bool:
    """Whether the token was made for this account's current (unused) state."""
    return user is not None and user.active and _digest(user) == digest
