"""Look up a link and store an answer: spend the token and insert the response atomically.

Opening a link (GET) never spends it; only a valid submit does.  The spend is a conditional
``UPDATE … WHERE spent = false``: of any number of concurrent submits exactly one sees a row
count of 1, on SQLite and PostgreSQL alike.  The response row gets a random id and the cell only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

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


_LINK_QUERY = (
    select(Invitation.spent, Wave.id, Wave.public_id, Wave.opens_on, Wave.closes_on,
           Wave.closed, Wave.min_group_size, Wave.min_comment_group_size,
           Survey.title_ja, Survey.title_en)
    .join(Wave, Wave.id == Invitation.wave_id)
    .join(Survey, Survey.id == Wave.survey_id)
)


def look_up(session: Session, token: str, on: dt.date | None = None) -> Link:
    """What a link leads to on day ``on`` (default today), without spending it.

    One query: on survey day this runs for every page view and every submit.
    """
    if not looks_like_token(token):
        return Link(LinkState.UNKNOWN)
    row = session.execute(
        _LINK_QUERY.where(Invitation.token_hash == hash_token(token))).first()
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

    id: int
    kind: ItemKind


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
    session: Session, token: str, answers: dict[int, int | str], on: dt.date | None = None,
    link: Link | None = None,
) -> LinkState:
    """Spend the link and store its answers; the caller began a write transaction and commits.

    ``link`` may be passed when it was looked up inside the same write transaction.  Returns
    READY when stored, otherwise the state that prevented it (nothing written).
    """
    if not answers:
        raise ValueError("nothing_answered")
    link = link or look_up(session, token, on)
    if link.state != LinkState.READY or link.wave is None:
        return link.state
    spent = session.execute(
        update(Invitation)
        .where(Invitation.token_hash == hash_token(token), Invitation.spent.is_(False))
        .values(spent=True)
        .returning(Invitation.cell_id)
    ).first()
    if spent is None:
        return LinkState.SPENT
    response_id = uuid.uuid4()
    session.execute(Response.__table__.insert(), [
        {"id": response_id, "wave_id": link.wave.id, "cell_id": spent.cell_id}])
    session.execute(Answer.__table__.insert(), [
        {"response_id": response_id, "item_id": item_id,
         "value": value if isinstance(value, int) else None,
         "text": value if isinstance(value, str) else None}
        for item_id, value in answers.items()])
    return LinkState.READY


def wave_items(session: Session, wave: Wave | LinkWave) -> list[Item]:
    """The items a wave asks, in order (one query: this runs on every survey-day request)."""
    return list(session.scalars(
        select(Item).join(WaveItem, WaveItem.item_id == Item.id)
        .where(WaveItem.wave_id == wave.id).order_by(WaveItem.position)))

