"""Password policy: long enough, not a common password or pattern, nothing like the e-mail.

"aaaaaaaaaa" has ten characters and was accepted.  Length alone says little, so a password is
also scored by zxcvbn (Wheeler 2016, "zxcvbn: Low-Budget Password Strength Estimation"), a
maintained estimator that ships lists of the most common passwords, names and words and
recognises repeats, sequences, keyboard walks and dates.  The account's own e-mail address
and its parts are given to it as words an attacker would try first, and a password that
contains the address's local part is refused outright.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
#: zxcvbn score 0–4; 3 = "safely unguessable: moderate protection from offline slow-hash
#: scenario" (about 10⁸ guesses and more), the level its authors recommend for accounts.
MIN_SCORE = 3
#: zxcvbn's cost grows with length; a password strong in its first 72 characters is strong.
SCORED_LENGTH = 72
#: Words anyone attacking this installation tries first.
SITE_WORDS = ("naranu", "survey", "pulse", "admin", "leadership", "hr")


def password_problem(password: str, email: str) -> str | None:
    """Why ``password`` may not protect the account with ``email``, as an error code, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short"
    local, _at, domain = email.casefold().partition("@")
    if len(local) >= 3 and local in password.casefold():
        return "password_like_email"
    words = [email, local, domain, *re.split(r"[.@_+-]", email.casefold()), *SITE_WORDS]
    if zxcvbn(password[:SCORED_LENGTH], user_inputs=words)["score"] < MIN_SCORE:
        return "password_common"
    return None
