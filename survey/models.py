"""Typed SQLAlchemy models of the survey domain.

Anonymity is a property of this data model (DESIGN.md decision 1):

* :class:`Invitation` holds only a hash of its token, the wave, the generalised cell and a spent
  flag: no person, no time.  Tokens are derived with a key kept outside the database, so the
  database and the roster together cannot tell who answered.
* :class:`Response` and :class:`Answer` carry the wave and the generalised cell only, under a
  random UUID key.  On SQLite they are ``WITHOUT ROWID`` tables, so there is no hidden insertion
  order; at wave close they are rewritten in random order (see ``survey.waves``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Model


def utcnow() -> dt.datetime:
    """Timezone-aware now, for staff-side records (never for responses)."""
    return dt.datetime.now(dt.UTC)


class Role(StrEnum):
    """What an account may do; staff answering a survey need no account."""

    ADMIN = "admin"
    LEADERSHIP = "leadership"
    HR = "hr"
    UNIT_HEAD = "unit-head"  # reads and keeps the plans of the units assigned to the account


class ItemKind(StrEnum):
    """Kinds of question (DESIGN.md, 'item')."""

    LIKERT5 = "likert5"
    NPS11 = "nps11"
    COMMENT = "comment"


class User(Model):
    """A staff-side account (admin, leadership, HR, unit head) with an argon2id password hash."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Part of every session cookie's user id; raising it ends all the account's sessions.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The language the account last signed in with ('ja', 'en'); None until it signs in.
    language: Mapped[str | None] = mapped_column(String(5), default=None)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Principle(Model):
    """One action principle of the organisation; data, not code."""

    __tablename__ = "principle"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Item(Model):
    """One version of a question.  Rewording an answered item makes a new version."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[ItemKind] = mapped_column(String(20))
    principle_id: Mapped[int | None] = mapped_column(ForeignKey("principle.id"))
    text_ja: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    reverse: Mapped[bool] = mapped_column(Boolean, default=False)
    scale: Mapped[str] = mapped_column(String(20), default="frequency")
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    principle: Mapped[Principle | None] = relationship()


class Survey(Model):
    """A named set of items (a template)."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    entries: Mapped[list[SurveyItem]] = relationship(
        order_by="SurveyItem.position", cascade="all, delete-orphan"
    )


class SurveyItem(Model):
    """An item's place in a survey template."""

    __tablename__ = "survey_item"

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    item: Mapped[Item] = relationship()


class Person(Model):
    """A roster entry.  Attributes are NFKC-normalised group attributes (department, …)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Concurrent posts (兼務): unit paths from broad to fine, beside the main unit in attributes.
    concurrent: Mapped[list[list[str]] | None] = mapped_column(JSON, default=list)


class Setting(Model):
    """Organisation-wide settings that admins change at run time (k, hierarchy, …)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Wave(Model):
    """One round of a survey.  k and k_comments are frozen when it opens."""

    __tablename__ = "wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    label: Mapped[str] = mapped_column(String(80), unique=True)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    min_group_size: Mapped[int] = mapped_column(Integer)
    min_comment_group_size: Mapped[int] = mapped_column(Integer)
    invited_count: Mapped[int] = mapped_column(Integer, default=0)
    responded_count: Mapped[int] = mapped_column(Integer, default=0)
    #: What the wave reports, frozen at open (survey.waves.design.CellDesign.to_dict()).
    cell_design: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: When the wave closed and its report became readable (shown on the transparency page).
    results_published_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), default=None)

    survey: Mapped[Survey] = relationship()
    items: Mapped[list[WaveItem]] = relationship(
        order_by="WaveItem.position", cascade="all, delete-orphan"
    )
    cells: Mapped[list[WaveCell]] = relationship(cascade="all, delete-orphan")


class WaveItem(Model):
    """The item versions a wave asks, frozen at open so later edits never change it."""

    __tablename__ = "wave_item"

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    item: Mapped[Item] = relationship()


class WaveCell(Model):
    """A generalised group cell of a wave, with the number of people invited in it."""

    __tablename__ = "wave_cell"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    key: Mapped[dict[str, str]] = mapped_column(JSON)
    invited: Mapped[int] = mapped_column(Integer, default=0)
    joined: Mapped[int] = mapped_column(Integer, default=0)
    left: Mapped[int] = mapped_column(Integer, default=0)


class WaveMember(Model):
    """Roster snapshot of a wave (who was in which cell), used only to count joiners/leavers.

    It says nothing about participation: invitations carry no person.
    """

    __tablename__ = "wave_member"

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("wave_cell.id"))


class Invitation(Model):
    """A single-use link: only the token's SHA-256, the wave, the cell and whether it is spent."""

    __tablename__ = "invitation"
    __table_args__ = ({"sqlite_with_rowid": False},)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("wave_cell.id"))
    spent: Mapped[bool] = mapped_column(Boolean, default=False)


class Response(Model):
    """One person's answers to one wave: the wave and the generalised cell, nothing else."""

    __tablename__ = "response"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("wave_cell.id"))

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")


class Answer(Model):
    """One answered item of a response (a skipped item has no row)."""

    __tablename__ = "answer"
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)


class StoredAggregate(Model):
    """A closed wave's summary for one cell (histograms and cross-products), frozen at close."""

    __tablename__ = "cell_aggregate"

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("wave_cell.id"), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditEvent(Model):
    """Who exported or viewed what, and threshold changes — never what anyone answered."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
