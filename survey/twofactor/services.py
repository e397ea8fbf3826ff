"""Enrol, check, disable and reset a second factor.  They never commit; the caller does.

Codes are RFC 6238 TOTP codes (SHA-1, 6 digits, 30-second steps: what every authenticator
app shows) computed by ``pyotp``.  A code is accepted for the current step and one step either
side (clock drift of up to 30 seconds), and only for a step later than the last one accepted,
recorded with a conditional ``UPDATE`` so that two requests racing with one code cannot both
win.  A recovery code is spent by a ``DELETE`` of its row, single-use for the same reason.
"""

from __future__ import annotations

import hmac
import time
from enum import StrEnum

import pyotp
from sqlalchemy import delete, func, or_, select, update

from survey.auth.passwords import verify_password
from survey.db import DbSession
from survey.models import User, utcnow
from survey.service_error import ServiceError
from survey.twofactor import vault
from survey.twofactor.models import RecoveryCode, SecondFactor

#: Accepted clock drift, in 30-second steps either side.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
ISSUER = "naranu"


class TwoFactorError(ServiceError):
    """Why a second-factor action was refused (worded by :mod:`survey.twofactor.messages`)."""


class Proof(StrEnum):
    """What a correct second factor was."""

    CODE = "code"
    RECOVERY = "recovery"


def confirmed_factor(session: DbSession, user_id: int) -> SecondFactor | None:
    """The account's switched-on factor, or None (not enrolled, or still enrolling)."""
    factor = session.get(SecondFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def start_enrolment(session: DbSession, user: User, key: str) -> str:
    """A new secret for ``user`` (replacing an unconfirmed one); returns it in base32."""
    factor = session.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise TwoFactorError("already_enrolled")
    secret = pyotp.random_base32()
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret="")
        session.add(factor)
    factor.secret = vault.seal(key, user.id, secret)
    factor.last_step = None
    return secret


def pending_secret(session: DbSession, user: User, key: str) -> str | None:
    """The secret of an enrolment not yet confirmed, or None."""
    factor = session.get(SecondFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        return None
    return vault.unseal(key, user.id, factor.secret)


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def confirm_enrolment(session: DbSession, user: User, key: str, code: str,
                      now: float | None = None) -> list[str]:
    """Switch the factor on once a current code proves the app has the secret.

    Returns the recovery codes in clear, to be shown once; only their keyed hashes are stored.
    """
    factor = session.get(SecondFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise TwoFactorError("not_enrolling")
    if not _spend_code(session, factor, key, code, now):
        raise TwoFactorError("wrong_code")
    factor.confirmed_at = utcnow()
    return new_recovery_codes(session, user, key)


def new_recovery_codes(session: DbSession, user: User, key: str) -> list[str]:
    """Replace the account's recovery codes with fresh ones; returns them in clear."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [vault.new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=vault.recovery_hash(key, user.id, c))
                    for c in codes)
    return codes


def remaining_recovery_codes(session: DbSession, user_id: int) -> int:
    """How many unused recovery codes the account has."""
    return session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user_id)) or 0


def verify(session: DbSession, factor: SecondFactor, key: str, typed: str,
           now: float | None = None) -> Proof | None:
    """Check a sign-in code or recovery code of a confirmed factor, spending it if right."""
    cleaned = "".join(typed.split())
    if cleaned.isdigit():
        return Proof.CODE if _spend_code(session, factor, key, cleaned, now) else None
    spent = session.execute(delete(RecoveryCode).where(
        RecoveryCode.user_id == factor.user_id,
        RecoveryCode.code_hash == vault.recovery_hash(key, factor.user_id, cleaned)))
    return Proof.RECOVERY if spent.rowcount == 1 else None  # type: ignore[attr-defined]


def disable(session: DbSession, user: User, key: str, password: str, typed: str) -> Proof:
    """Switch one's own second factor off: the password and a code (or recovery code)."""
    factor = confirmed_factor(session, user.id)
    if factor is None:
        raise TwoFactorError("not_enrolled")
    if not verify_password(user.password_hash, password):
        raise TwoFactorError("wrong_password")
    proof = verify(session, factor, key, typed)
    if proof is None:
        raise TwoFactorError("wrong_code")
    remove(session, user.id)
    return proof


def remove(session: DbSession, user_id: int) -> bool:
    """Forget the account's factor and recovery codes (an admin's reset); True if it had one."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    gone = session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def _spend_code(session: DbSession, factor: SecondFactor, key: str, code: str,
                now: float | None) -> bool:
    """Accept a TOTP code of a step within the drift and after the last one accepted."""
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(vault.unseal(key, factor.user_id, factor.secret))
    current = int((time.time() if now is None else now) // totp.interval)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (factor.last_step is None or step > factor.last_step) and hmac.compare_digest(
                totp.generate_otp(step), code):
            return _record_step(session, factor, step)
    return False


def _record_step(session: DbSession, factor: SecondFactor, step: int) -> bool:
    """Store ``step`` as the last one used, unless a racing request stored it (or later) first."""
    done = session.execute(
        update(SecondFactor)
        .where(SecondFactor.user_id == factor.user_id,
               or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step))
        .values(last_step=step)
        .execution_options(synchronize_session=False))
    session.refresh(factor, ["last_step"])
    return bool(done.rowcount)  # type: ignore[attr-defined]
