"""Which units a unit-head account heads: one row per (account, unit)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Model


class UnitAssignment(Model):
    """An account heads a unit (and so every unit below it); ``unit`` is a :func:`unit_key`."""

    __tablename__ = "unit_assignment"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(400), primary_key=True)
