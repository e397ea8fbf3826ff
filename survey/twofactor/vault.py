"""Keeping TOTP secrets and recovery codes with a key that is not in the database.

A TOTP secret must be read back to check a code, so it cannot be hashed like a password.  It
is encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from ``TWOFACTOR_KEY``, which
lives in ``instance/config.py`` beside ``TOKEN_KEY`` (survey.app_config): a copy of the
database alone yields no secret.  The account id is the associated data, so a ciphertext
copied onto another account's row fails to decrypt.

Recovery codes carry about 50 random bits each, so a keyed hash (HMAC-SHA256 under a second derived
key) stores them safely without argon2's cost; the key again stays outside the database, so
a stolen copy cannot even be guessed against offline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Format tag of a stored secret, so the scheme can change without guessing old rows.
VERSION = "v1"
NONCE_BYTES = 12
#: Recovery codes: 10 characters from 31 without 0/O, 1/I/L (31¹⁰ ≈ 2⁴⁹·⁵), shown as
#: XXXXX-XXXXX.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECOVERY_LENGTH = 10


def _subkey(key_hex: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"naranu twofactor " + purpose).derive(bytes.fromhex(key_hex))


def seal(key_hex: str, user_id: int, secret: str) -> str:
    """The base32 TOTP ``secret`` encrypted for account ``user_id``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_subkey(key_hex, b"secret")).encrypt(
        nonce, secret.encode("ascii"), str(user_id).encode("ascii"))
    return f"{VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(key_hex: str, user_id: int, stored: str) -> str:
    """The TOTP secret back (raises ``cryptography.exceptions.InvalidTag`` if tampered)."""
    version, _colon, body = stored.partition(":")
    if version != VERSION:
        raise ValueError(f"unknown secret format {version!r}")
    raw = base64.urlsafe_b64decode(body)
    plain = AESGCM(_subkey(key_hex, b"secret")).decrypt(
        raw[:NONCE_BYTES], raw[NONCE_BYTES:], str(user_id).encode("ascii"))
    return plain.decode("ascii")


def new_recovery_code() -> str:
    """A fresh code, XXXXX-XXXXX."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{chars[:5]}-{chars[5:]}"


def normalise_recovery_code(typed: str) -> str:
    """What the person typed, without spaces or hyphens, upper case."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def recovery_hash(key_hex: str, user_id: int, code: str) -> str:
    """The keyed hash stored for a recovery code of account ``user_id``."""
    message = f"{user_id}:{normalise_recovery_code(code)}".encode()
    return hmac.new(_subkey(key_hex, b"recovery"), message, hashlib.sha256).hexdigest()
