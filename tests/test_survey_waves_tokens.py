"""Invitation tokens: 256-bit HMAC derivation with a key outside the database, stored as a hash."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.waves.tokens import TOKEN_PATTERN, derive_token, hash_token, looks_like_token

KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
OTHER_KEY = "ff" * 32


def test_token_is_base64url_hmac_sha256_of_wave_and_employee() -> None:
    # Independent recomputation of the documented construction (tokens.py module docstring).
    message = b"naranu-invitation\x00w1\x00E0001"
    expected = base64.urlsafe_b64encode(
        hmac.new(bytes.fromhex(KEY), message, hashlib.sha256).digest()).decode().rstrip("=")
    assert derive_token(KEY, "w1", "E0001") == expected


def test_token_carries_256_bits_in_43_url_safe_characters() -> None:
    token = derive_token(KEY, "w1", "E0001")
    assert len(token) == 43 and TOKEN_PATTERN.match(token)
    assert len(base64.urlsafe_b64decode(token + "=")) * 8 == 256


def test_token_depends_on_key_wave_and_person() -> None:
    base = derive_token(KEY, "w1", "E0001")
    assert derive_token(KEY, "w1", "E0001") == base  # reproducible for reminders
    assert derive_token(OTHER_KEY, "w1", "E0001") != base
    assert derive_token(KEY, "w2", "E0001") != base
    assert derive_token(KEY, "w1", "E0002") != base


def test_separator_prevents_ambiguous_concatenation() -> None:
    assert derive_token(KEY, "w1", "2E") != derive_token(KEY, "w12", "E")


def test_only_the_sha256_of_the_token_is_stored() -> None:
    token = derive_token(KEY, "w1", "E0001")
    stored = hash_token(token)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert len(stored) == 64 and token not in stored


@pytest.mark.parametrize("candidate", [
    "", "short", "a" * 42, "a" * 44, "a" * 42 + "=", "a" * 42 + "/", "a" * 42 + "+",
    "../" + "a" * 40, "a" * 42 + "\n", "' OR 1=1 --" + "a" * 32,
])
def test_malformed_tokens_are_rejected_before_the_database(candidate: str) -> None:
    assert not looks_like_token(candidate)


@given(wave=st.text(min_size=1, max_size=40), employee=st.text(min_size=1, max_size=40))
def test_every_derived_token_passes_the_shape_check(wave: str, employee: str) -> None:
    assert looks_like_token(derive_token(KEY, wave, employee))
