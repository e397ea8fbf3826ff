"""An account's second factor and its single-use recovery codes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Model
from survey.models import utcnow


class SecondFactor(Model):
    """The TOTP secret of one account, encrypted with the instance's two-factor key.

    ``confirmed_at`` is None while the account is enrolling (the secret is shown, no code has
    confirmed it yet); only a confirmed factor is asked for at sign-in.  ``last_step`` is the
    time step of the last code accepted: a code of that step or an earlier one is refused, so a
    code seen over a shoulder or in a proxy log cannot be used again.
    """

    __tablename__ = "second_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(200))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                             default=None)
    last_step: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecoveryCode(Model):
    """One unused recovery code, as a keyed hash; using it deletes the row."""

    __tablename__ = "recovery_code"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
