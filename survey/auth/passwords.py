"""argon2id password hashing (OWASP Password Storage Cheat Sheet parameters).

werkzeug's default (scrypt/pbkdf2) parameters are below OWASP's minimum, so accounts use
argon2-cffi with m = 19 MiB, t = 2, p = 1, OWASP's first recommended configuration.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """An argon2id hash string (salt and parameters included)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches; a malformed hash simply does not match."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify() -> None:
    """Spend the same time as a real check, so unknown e-mails are not told apart by timing."""
    verify_password(_DUMMY_HASH, "not the password")


#: A hash made once with ``_hasher``'s parameters (of a password nobody uses): verifying it costs
#: what a real check costs, and a literal costs nothing when a command starts (hashing here at
#: import took a third of a second of every command's start-up).
_DUMMY_HASH = ("$argon2id$v=19$m=19456,t=2,p=1$PQd9WzcHjzD5hzUPxatp5w"
               "$iDkyFOjVvVuIymr3ee92CmqE5m8BEWjzdmIrhw0UDYs")
