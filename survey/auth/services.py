"""Account services: create and authenticate.  They never commit; the caller does."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.auth.passwords import dummy_verify, hash_password, verify_password
from survey.auth.policy import password_problem
from survey.models import Role, User


class AccountError(ValueError):
    """A user-facing reason why an account cannot be created (message is a translatable key)."""


def normalise_email(email: str) -> str:
    """Validated, lower-cased e-mail address (no deliverability lookup: it runs offline)."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError("invalid_email") from error


def create_user(session: Session, email: str, role: str, password: str) -> User:
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


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active account with these credentials, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        dummy_verify()
        return None
    return user if verify_password(user.password_hash, password) else None
