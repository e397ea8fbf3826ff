"""Look up a link and store an answer: spend the token and insert the response atomically.

Opening a link (GET) never spends it; only a valid submit does.  The spend is a conditional
``UPDATE … WHERE spent = false``: of any number of concurrent submits exactly one sees a row
count of 1, on SQLite and PostgreSQL alike.  The response row gets a random id and the cell only.

Both run for every survey-day request, so they are prebuilt Core statements run on one
connection (the answering view's own, or an ORM session's): no identity map, no per-call
statement building.  Reading a link is one indexed SELECT; storing an answer is one UPDATE
and two INSERTs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Row

from survey.db import DbSession
from survey.models import Answer, Invitation, Item, ItemKind, Response, Survey, Wave, WaveItem
from survey.waves.services import WaveStatus, status
from survey.waves.tokens import hash_token, looks_like_token

MAX_COMMENT_LENGTH = 2000


class LinkState(StrEnum):
    """Why a link can or cannot be answered."""

    READY = "ready"
    UNKNOWN = "unknown"
    SPENT = "spent"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"


@dataclass(frozen=True)
class LinkWave:
    """What the answering page needs of a link's wave (read with the link in one query)."""

    id: int
    public_id: str
    opens_on: dt.date
    closes_on: dt.date
    closed: bool
    min_group_size: int
    min_comment_group_size: int
    title_ja: str
    title_en: str


@dataclass(frozen=True)
class Link:
    """A looked-up link: its state and, when it has one, its wave."""

    state: LinkState
    wave: LinkWave | None = None


_INVITATION, _WAVE, _SURVEY = Invitation.__table__, Wave.__table__, Survey.__table__
_LINK_QUERY = (
    select(_INVITATION.c.spent, _WAVE.c.id, _WAVE.c.public_id, _WAVE.c.opens_on,
           _WAVE.c.closes_on, _WAVE.c.closed, _WAVE.c.min_group_size,
           _WAVE.c.min_comment_group_size, _SURVEY.c.title_ja, _SURVEY.c.title_en)
    .join(_WAVE, _WAVE.c.id == _INVITATION.c.wave_id)
    .join(_SURVEY, _SURVEY.c.id == _WAVE.c.survey_id)
    .where(_INVITATION.c.token_hash == bindparam("hash"))
)
_SPEND = (
    update(_INVITATION)
    .where(_INVITATION.c.token_hash == bindparam("hash"), _INVITATION.c.spent.is_(False))
    .values(spent=True)
    .returning(_INVITATION.c.cell_id)
)
_INSERT_RESPONSE = Response.__table__.insert()
_INSERT_ANSWER = Answer.__table__.insert()


#: Where the services run their statements: an ORM session (its connection is used) or a
#: Core connection (the answering view's, which skips the session machinery altogether).
Database = DbSession | Connection


def _connection(database: Database) -> Connection:
    return database if isinstance(database, Connection) else database.connection()


def look_up(database: Database, token: str, on: dt.date | None = None) -> Link:
    """What a link leads to on day ``on`` (default today), without spending it.

    One query: on survey day this runs for every page view and every submit.
    """
    if not looks_like_token(token):
        return Link(LinkState.UNKNOWN)
    row = _connection(database).execute(_LINK_QUERY, {"hash": hash_token(token)}).first()
    if row is None:
        return Link(LinkState.UNKNOWN)
    spent, *fields = row
    wave = LinkWave(*fields)
    wave_status = status(wave, on)
    if wave_status == WaveStatus.SCHEDULED:
        return Link(LinkState.NOT_YET_OPEN, wave)
    if wave_status != WaveStatus.OPEN:
        return Link(LinkState.CLOSED, wave)
    if spent:
        return Link(LinkState.SPENT, wave)
    return Link(LinkState.READY, wave)


class Answerable(Protocol):
    """What validation needs of an item or a question."""

    @property
    def id(self) -> int: ...

    @property
    def kind(self) -> ItemKind: ...


def clean_answers(
    items: Iterable[Answerable], raw: dict[int, str | None]
) -> tuple[dict[int, int | str], set[int]]:
    """(valid answers by item id, ids of invalid answers); skipped items are left out."""
    cleaned: dict[int, int | str] = {}
    invalid: set[int] = set()
    for item in items:
        value = raw.get(item.id)
        if value is None or str(value).strip() == "":
            continue
        try:
            cleaned[item.id] = _clean_one(item, str(value))
        except ValueError:
            invalid.add(item.id)
    return cleaned, invalid


def _clean_one(item: Answerable, value: str) -> int | str:
    if item.kind == ItemKind.COMMENT:
        text = value.strip()
        if len(text) > MAX_COMMENT_LENGTH:
            raise ValueError("comment_too_long")
        return text
    low, high = (1, 5) if item.kind == ItemKind.LIKERT5 else (0, 10)
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise ValueError("value_out_of_range")
    return int(value)


def submit(
    database: Database, token: str, answers: Mapping[int, int | str], on: dt.date | None = None,
    link: Link | None = None,
) -> LinkState:
    """Spend the link and store its answers; the caller began a write transaction and commits.

    ``database`` is the write transaction's session or connection (:func:`survey.db.begin_write`
    or :func:`survey.db.write_transaction`).

    ``link`` is the link as looked up before the write transaction began (the answering view
    validates the form first, so the write lock is held only for the three statements here).
    The conditional UPDATE decides: if it spends nothing, the link was spent meanwhile or its
    wave was closed (closing forgets every invitation), and the state is read again to say
    which.  Returns READY when stored, otherwise the state that prevented it (nothing written).
    """
    if not answers:
        raise ValueError("nothing_answered")
    connection = _connection(database)
    link = link or look_up(connection, token, on)
    if link.state != LinkState.READY or link.wave is None:
        return link.state
    spent = connection.execute(_SPEND, {"hash": hash_token(token)}).first()
    if spent is None:
        state = look_up(connection, token, on).state
        return LinkState.SPENT if state == LinkState.READY else state
    response_id = uuid.uuid4()
    connection.execute(_INSERT_RESPONSE, [
        {"id": response_id, "wave_id": link.wave.id, "cell_id": spent.cell_id}])
    connection.execute(_INSERT_ANSWER, [
        {"response_id": response_id, "item_id": item_id,
         "value": value if isinstance(value, int) else None,
         "text": value if isinstance(value, str) else None}
        for item_id, value in answers.items()])
    return LinkState.READY


_ITEM, _WAVE_ITEM = Item.__table__, WaveItem.__table__
_WAVE_ITEMS = (
    select(_ITEM.c.id, _ITEM.c.kind, _ITEM.c.text_ja, _ITEM.c.text_en, _ITEM.c.scale)
    .join(_WAVE_ITEM, _WAVE_ITEM.c.item_id == _ITEM.c.id)
    .where(_WAVE_ITEM.c.wave_id == bindparam("wave"))
    .order_by(_WAVE_ITEM.c.position)
)


def wave_items(database: Database, wave: Wave | LinkWave) -> list[Row[Any]]:
    """The items a wave asks, in order: rows of (id, kind, text_ja, text_en, scale).

    On the request's own connection: a second pooled connection per request could leave every
    request holding one while waiting for another when the pool runs dry.
    """
    return list(_connection(database).execute(_WAVE_ITEMS, {"wave": wave.id}))
