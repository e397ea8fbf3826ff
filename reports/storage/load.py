"""The loader: what a report needs, read from the database into the pure data of
:mod:`reports.aggregates` (one query per table).

Only closed waves carry figures; an open wave contributes its response rate only
(leadership sees a wave's figures after it closes).

Closed waves are immutable (aggregates, cells and k are frozen at close), so their
:class:`WaveData` is kept in a small per-process cache keyed by every column of the wave's
row; an open wave is read afresh on every request. The cache lives as long as the process
and never serves another wave's data: a wave that closes gets a new key (``closed`` and
``responded_count`` are part of it), and ``public_id`` is unique across databases in practice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter

from flask import current_app
from sqlalchemy import func, select

from reports.aggregates import ActionMarker, CellData, PrincipleMeta, WaveData
from reports.quarters import quarter_of
from reports.storage.summarise import stored_aggregates
from survey.db import DbSession
from survey.i18n import localized
from survey.models import (
    Answer,
    Invitation,
    Item,
    Principle,
    Response,
    Wave,
    WaveCell,
)
from survey.plans.services import plan_markers
from survey.waves.design import CellDesign
from survey.waves.services import response_count, status

MAX_CACHED_WAVES = 64
_CLOSED: OrderedDict[tuple, WaveData] = OrderedDict()


def _cache_key(wave: Wave, start_month: int) -> tuple:
    return (wave.id, wave.public_id, wave.label, wave.opens_on, wave.closes_on, wave.closed,
            wave.min_group_size, wave.min_comment_group_size, wave.invited_count,
            wave.responded_count, start_month)


def clear_cache() -> None:
    """Forget every cached closed wave (tests; after restoring a database backup)."""
    _CLOSED.clear()


def load_wave(session: DbSession, wave: Wave, start_month: int) -> WaveData:
    """A wave's cells and aggregates; closed waves come from the per-process cache."""
    if not wave.closed:
        return _load_wave(session, wave, start_month)
    key = _cache_key(wave, start_month)
    data = _CLOSED.get(key)
    if data is None:
        data = _CLOSED[key] = _load_wave(session, wave, start_month)
        while len(_CLOSED) > MAX_CACHED_WAVES:
            _CLOSED.popitem(last=False)
    _CLOSED.move_to_end(key)
    return data


def _load_wave(session: DbSession, wave: Wave, start_month: int) -> WaveData:
    """A wave's cells and aggregates (aggregates only once closed)."""
    aggregates = stored_aggregates(session, wave) if wave.closed else {}
    live = {} if wave.closed else _live_cell_counts(session, wave)
    cells = tuple(
        CellData(
            id=cell.id,
            key=tuple(sorted(cell.key.items())),
            invited=cell.invited,
            responses=aggregates[cell.id].n_respondents
            if cell.id in aggregates
            else live.get(cell.id, 0),
            joined=cell.joined,
            left=cell.left,
        )
        for cell in session.scalars(
            select(WaveCell).where(WaveCell.wave_id == wave.id).order_by(WaveCell.id)
        )
    )
    return WaveData(
        id=wave.id,
        label=wave.label,
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
        status=status(wave),
        k=wave.min_group_size,
        k_comments=wave.min_comment_group_size,
        invited=wave.invited_count,
        responded=response_count(session, wave),
        quarter=quarter_of(wave.closes_on, start_month),
        cells=cells,
        aggregates=aggregates,
        design=CellDesign.from_dict(wave.cell_design or {}),
    )


def _live_cell_counts(session: DbSession, wave: Wave) -> dict[int, int]:
    rows = session.execute(
        select(Invitation.cell_id, func.count())
        .where(Invitation.wave_id == wave.id, Invitation.spent.is_(True))
        .group_by(Invitation.cell_id)
    )
    return {cell_id: count for cell_id, count in rows}


def load_waves(
    session: DbSession, start_month: int, survey_id: int | None = None
) -> list[WaveData]:
    """Every wave (of one survey when given), oldest first."""
    query = select(Wave).order_by(Wave.closes_on, Wave.id)
    if survey_id is not None:
        query = query.where(Wave.survey_id == survey_id)
    return [load_wave(session, wave, start_month) for wave in session.scalars(query)]


def load_comments(session: DbSession, wave_id: int) -> dict[int, list[str]]:
    """Free-text answers of a closed wave by cell id (no dates, no order worth keeping)."""
    rows = session.execute(
        select(Response.cell_id, Answer.text)
        .join(Answer, Answer.response_id == Response.id)
        .join(Wave, Wave.id == Response.wave_id)
        .where(Response.wave_id == wave_id, Wave.closed.is_(True), Answer.text.is_not(None))
    )
    comments: dict[int, list[str]] = {}
    for cell_id, text in rows:
        if text is not None:  # (the query already leaves blank answers out)
            comments.setdefault(cell_id, []).append(text)
    return comments


def fiscal_start_month() -> int:
    """The month the fiscal year starts (4 = April, Japanese public bodies)."""
    return int(current_app.config["FISCAL_YEAR_START_MONTH"])


def practical_thresholds() -> dict[str, float]:
    """Practical sizes below which a significant change is 'no meaningful change'."""
    config = current_app.config
    return {"score": float(config["PRACTICAL_SCORE_POINTS"]),
            "favourability": float(config["PRACTICAL_FAVOURABLE_POINTS"]),
            "enps": float(config["PRACTICAL_ENPS_POINTS"])}


def all_waves(session: DbSession) -> list[WaveData]:
    """Every wave with cells and aggregates."""
    return load_waves(session, fiscal_start_month())


def principle_meta(session: DbSession) -> list[PrincipleMeta]:
    """Principles in display order."""
    rows = session.scalars(select(Principle).order_by(Principle.position, Principle.id))
    return [PrincipleMeta(p.code, p.title_ja, p.title_en) for p in rows]


def action_markers(
    session: DbSession, units: Sequence[tuple[str, ...]] | None = None
) -> list[ActionMarker]:
    """Action plans as chart markers, by start date (dropped plans are not marked): every
    plan, or those of exactly ``units`` (``[()]`` is the organisation's own)."""
    return [ActionMarker(marker.on, marker.title, marker.principles, marker.unit,
                         str(marker.status))
            for marker in plan_markers(session, units)]


def item_texts(session: DbSession, item_ids: list[int]) -> dict[int, str]:
    """The wording of items in the current language, by id."""
    if not item_ids:
        return {}
    rows = session.scalars(select(Item).where(Item.id.in_(item_ids)))
    return {row.id: localized(row.text_ja, row.text_en) for row in rows}


def load_response_answers(
    session: DbSession, wave: Wave
) -> list[tuple[tuple[tuple[str, str], ...], dict[int, int]]]:
    """Every response of a closed wave as its stored cell key and scored answers by item id
    (the response-level export's rows; no response id leaves this function).

    One query, streamed in batches and grouped by response as it arrives: at 70,000 responses
    the answer rows (about 1.4 million) never sit in memory at once.
    """
    keys = {cell.id: tuple(sorted(cell.key.items())) for cell in wave.cells}
    rows = session.execute(
        select(Response.id, Response.cell_id, Answer.item_id, Answer.value)
        .outerjoin(Answer, (Answer.response_id == Response.id) & Answer.value.is_not(None))
        .where(Response.wave_id == wave.id)
        .order_by(Response.id)
        .execution_options(yield_per=20_000))
    out: list[tuple[tuple[tuple[str, str], ...], dict[int, int]]] = []
    for _response, answers in groupby(rows, key=itemgetter(0)):
        first = next(answers)
        given = {item_id: value for _id, _cell, item_id, value in (first, *answers)
                 if value is not None}  # (None: a response whose every answer is a comment)
        out.append((keys[first[1]], given))
    return out
