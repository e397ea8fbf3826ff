"""Action plans, the principles they address and their dated status history."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Model, db
from survey.models import Principle, utcnow


class PlanStatus(StrEnum):
    """Where a plan stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


plan_principle = Table(
    "action_plan_principle",
    db.Model.metadata,
    Column("plan_id", ForeignKey("action_plan.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principle.id"), primary_key=True),
)


class ActionPlan(Model):
    """What a unit will do: ``unit`` is a unit key ('[]' for the whole organisation)."""

    __tablename__ = "action_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(400), index=True)
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    #: Who carries it out, as a role ("課長", "each 係長"), not a named person.
    owner: Mapped[str] = mapped_column(String(120))
    #: The day the action starts: the marker on trend charts and the before/after split.
    starts_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(String(20), default=PlanStatus.PLANNED)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    principles: Mapped[list[Principle]] = relationship(
        secondary=plan_principle, order_by="Principle.position")
    updates: Mapped[list[PlanUpdate]] = relationship(
        order_by="PlanUpdate.id", cascade="all, delete-orphan")


class PlanUpdate(Model):
    """A dated step in a plan's history: its status from that day, with a note."""

    __tablename__ = "action_plan_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("action_plan.id", ondelete="CASCADE"), index=True)
    on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    author_role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Kept for the audit trail of staff accounts (never shown to staff).
    author_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id"))
