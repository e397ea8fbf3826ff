"""Account services: create, invite, authenticate, change passwords, deactivate.

They never commit; the caller does.  An invited or reset account has an unusable password hash
until its holder sets a password through an access link (:mod:`survey.auth.links`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from survey.auth.passwords import dummy_verify, hash_password, verify_password
from survey.auth.policy import password_problem
from survey.auth.sessions import revoke_sessions
from survey.db import DbSession
from survey.models import Role, User
from survey.service_error import ServiceError


class AccountError(ServiceError):
    """Why an account cannot be created or changed (worded by :mod:`survey.auth.messages`)."""


def normalise_email(email: str) -> str:
    """Validated, lower-cased e-mail address (no deliverability lookup: it runs offline)."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError("invalid_email") from error


def create_user(session: DbSession, email: str, role: str, password: str) -> User:
    """Add an account; raises :class:`AccountError` on a bad e-mail, role, password or duplicate."""
    address = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError("invalid_role")
    problem = password_problem(password, address)
    if problem is not None:
        raise AccountError(problem)
    if session.scalar(select(User).where(User.email == address)) is not None:
        raise AccountError("email_taken")
    user = User(email=address, role=Role(role), password_hash=hash_password(password))
    session.add(user)
    return user


def check_units(role: str, units: Sequence[object]) -> None:
    """A unit head heads at least one unit, and only a unit head is assigned any."""
    if role not in {r.value for r in Role}:
        raise AccountError("invalid_role")
    if role == Role.UNIT_HEAD and not units:
        raise AccountError("units_required")
    if role != Role.UNIT_HEAD and units:
        raise AccountError("units_only_for_unit_heads")


def authenticate(session: DbSession, email: str, password: str) -> User | None:
    """The active account with these credentials, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        dummy_verify()
        return None
    return user if verify_password(user.password_hash, password) else None


#: Prefix of a hash no password matches (argon2 rejects it as malformed).
UNUSABLE = "!unusable:"


def _unusable() -> str:
    return UNUSABLE + secrets.token_hex(16)  # unique, so an older access link stops working


def invite_user(session: DbSession, email: str, role: str) -> User:
    """An account with no password yet; its holder sets one through an access link."""
    user = create_user(session, email, role, secrets.token_urlsafe(24))
    user.password_hash = _unusable()
    return user


def reset_access(session: DbSession, user: User) -> None:
    """Forget the password: it stops working, its sessions end, and a new access link lets its
    holder set one."""
    user.password_hash = _unusable()
    revoke_sessions(session, user)


def set_password(session: DbSession, user: User, password: str) -> None:
    """Store a new password that passes the password policy (survey.auth.policy)."""
    problem = password_problem(password, user.email)
    if problem is not None:
        raise AccountError(problem)
    user.password_hash = hash_password(password)


def change_password(session: DbSession, user: User, current: str, new: str) -> None:
    """Change one's own password; the current one must be given."""
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password")
    set_password(session, user, new)


def remember_language(session: DbSession, user: User, language: str) -> None:
    """Keep the language the account signed in with, for mail sent to it later."""
    if user.language != language:
        user.language = language


def set_active(session: DbSession, user: User, active: bool, actor_id: int) -> None:
    """Deactivate or reactivate an account; nobody can lock themselves out."""
    if user.id == actor_id and not active:
        raise AccountError("cannot_deactivate_self")
    user.active = active


def all_users(session: DbSession) -> list[User]:
    """Every account, by e-mail."""
    return list(session.scalars(select(User).order_by(User.email)))
