"""Password policy: length, common passwords and patterns, and the account's own e-mail."""

from __future__ import annotations

import pytest

from survey.auth.policy import password_problem

EMAIL = "ichiro.suzuki@town.example.jp"


@pytest.mark.parametrize(("password", "problem"), [
    ("short", "password_too_short"),
    ("aaaaaaaaaa", "password_common"),            # ten characters, the audit's example
    ("1234567890", "password_common"),
    ("password123", "password_common"),
    ("qwertyuiop", "password_common"),
    ("iloveyou12", "password_common"),
    ("naranu2026!", "password_common"),           # the product's name plus a year
    ("town.example.jp", "password_common"),       # the address's domain
    ("Ichiro.Suzuki!", "password_like_email"),    # the local part, in any case
    ("x" + EMAIL, "password_like_email"),
])
def test_weak_passwords_are_refused_with_a_reason(password: str, problem: str) -> None:
    assert password_problem(password, EMAIL) == problem


@pytest.mark.parametrize("password", [
    "correct horse battery", "Tr0ub4dor&3x-kanri", "磐梯町の朝は霧が深い", "x" * 3 + "7Qm!pZ#v2Lw9",
])
def test_strong_passwords_pass(password: str) -> None:
    assert password_problem(password, EMAIL) is None


def test_a_very_long_password_is_scored_quickly() -> None:
    import time

    started = time.perf_counter()
    assert password_problem("correct horse battery " * 40, EMAIL) is None
    assert time.perf_counter() - started < 1
