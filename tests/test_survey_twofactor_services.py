"""Second-factor services and their keys, without pages: encryption bound to key and account,
recovery codes as keyed hashes, the drift window at a fixed clock, the instance key's
provisioning, and no secret or code in any log line."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest
from cryptography.exceptions import InvalidTag
from flask import Flask
from sqlalchemy import select

from survey.app_config import ensure_instance_secrets
from survey.db import db
from survey.models import User
from survey.twofactor import vault
from survey.twofactor.models import SecondFactor
from survey.twofactor.services import (
    Proof,
    TwoFactorError,
    confirm_enrolment,
    start_enrolment,
    verify,
)
from tests.conftest import PASSWORD, TWOFACTOR_KEY
from tests.test_attack_logs import every_logger_at_debug, log_text
from tests.twofactor_helpers import code, enrol, steady

OTHER_KEY = "11" * 32
#: A fixed instant in the middle of a 30-second step.
T = 1_800_000_015.0


def test_a_sealed_secret_opens_only_with_its_key_and_for_its_account() -> None:
    secret = pyotp.random_base32()
    sealed = vault.seal(TWOFACTOR_KEY, 7, secret)
    assert secret not in sealed and sealed.startswith("v1:")
    assert vault.seal(TWOFACTOR_KEY, 7, secret) != sealed  # a fresh nonce each time
    assert vault.unseal(TWOFACTOR_KEY, 7, sealed) == secret
    with pytest.raises(InvalidTag):
        vault.unseal(OTHER_KEY, 7, sealed)
    with pytest.raises(InvalidTag):
        vault.unseal(TWOFACTOR_KEY, 8, sealed)  # copied onto another account's row


def test_recovery_codes_are_random_and_hashed_with_a_key() -> None:
    codes = {vault.new_recovery_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}", c) for c in codes)
    one = next(iter(codes))
    digest = vault.recovery_hash(TWOFACTOR_KEY, 1, one)
    assert digest == vault.recovery_hash(TWOFACTOR_KEY, 1, " " + one.lower().replace("-", " "))
    assert digest != vault.recovery_hash(OTHER_KEY, 1, one)
    assert digest != vault.recovery_hash(TWOFACTOR_KEY, 2, one)


def _enrolled(app: Flask, make_user) -> tuple[SecondFactor, str]:
    make_user("hr")
    user = db.session.get_one(User, 1)
    secret = start_enrolment(db.session, user, TWOFACTOR_KEY)
    totp = pyotp.TOTP(secret)
    confirm_enrolment(db.session, user, TWOFACTOR_KEY, totp.at(T - 120), now=T - 120)
    db.session.commit()
    return db.session.get_one(SecondFactor, 1), secret


def test_codes_within_one_step_either_side_are_accepted_and_two_steps_are_not(
    app: Flask, session, make_user,
) -> None:
    factor, secret = _enrolled(app, make_user)
    totp = pyotp.TOTP(secret)
    assert verify(db.session, factor, TWOFACTOR_KEY, totp.at(T - 60), now=T) is None
    assert verify(db.session, factor, TWOFACTOR_KEY, totp.at(T + 60), now=T) is None
    assert verify(db.session, factor, TWOFACTOR_KEY, totp.at(T - 30), now=T) is Proof.CODE
    assert verify(db.session, factor, TWOFACTOR_KEY, totp.at(T - 30), now=T) is None  # replay
    assert verify(db.session, factor, TWOFACTOR_KEY, totp.at(T), now=T) is Proof.CODE
    assert verify(db.session, factor, TWOFACTOR_KEY, totp.at(T + 30), now=T) is Proof.CODE
    assert factor.last_step == int((T + 30) // 30)
    for wrong in ("", "12345", "1234567", "abcdef"):
        assert verify(db.session, factor, TWOFACTOR_KEY, wrong, now=T) is None


def test_enrolment_is_confirmed_only_by_its_own_code(app: Flask, session, make_user) -> None:
    make_user("hr")
    user = db.session.get_one(User, 1)
    start_enrolment(db.session, user, TWOFACTOR_KEY)
    other = pyotp.TOTP(pyotp.random_base32())
    with pytest.raises(TwoFactorError, match="wrong_code"):
        confirm_enrolment(db.session, user, TWOFACTOR_KEY, other.at(T), now=T)
    assert db.session.get_one(SecondFactor, 1).confirmed_at is None
    # A second start replaces the waiting secret: the first one's codes no longer confirm.
    first = vault.unseal(TWOFACTOR_KEY, 1, db.session.get_one(SecondFactor, 1).secret)
    start_enrolment(db.session, user, TWOFACTOR_KEY)
    with pytest.raises(TwoFactorError, match="wrong_code"):
        confirm_enrolment(db.session, user, TWOFACTOR_KEY, pyotp.TOTP(first).at(T), now=T)


def test_an_old_instance_config_gets_a_two_factor_key_once(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    folder.mkdir()
    old = "SECRET_KEY = 'aa'\nTOKEN_KEY = 'bb'"  # written before two-factor sign-in existed
    (folder / "config.py").write_text(old)
    body = ensure_instance_secrets(str(folder)).read_text()
    assert body.startswith(old + "\n")
    assert re.search(r"^TWOFACTOR_KEY = '[0-9a-f]{64}'$", body, re.M)
    assert ensure_instance_secrets(str(folder)).read_text() == body  # stable from then on
    fresh = ensure_instance_secrets(str(tmp_path / "new")).read_text()
    assert len(re.findall(r"^(SECRET|TOKEN|TWOFACTOR)_KEY = '[0-9a-f]{64}'$", fresh, re.M)) == 3


def test_no_secret_or_code_in_any_log_line(app: Flask, login, make_user,
                                           caplog: pytest.LogCaptureFixture) -> None:
    every_logger_at_debug(caplog)
    client = login("admin")
    secret, codes = enrol(client)
    client.post("/logout")
    steady()
    used = [code(secret, 1)]
    client.post("/login", data={"email": "admin@example.jp", "password": PASSWORD})
    client.post("/login/code", data={"code": used[0]})
    client.post("/logout")
    client.post("/login", data={"email": "admin@example.jp", "password": PASSWORD})
    client.post("/login/code", data={"code": codes[0]})
    text = log_text(caplog)
    # The statements that carry the secret and the codes were logged (their values hidden).
    assert "INSERT INTO second_factor" in text and "DELETE FROM recovery_code" in text
    with app.app_context():
        sealed = db.session.scalar(select(SecondFactor.secret))
    for value in (secret, sealed, *used, *codes, *(c.replace("-", "") for c in codes)):
        assert value not in text
