"""Load what a report needs from the database into plain, pure data (one query per table).

Only closed waves carry figures; an open wave contributes its response rate only
(leadership sees a wave's figures after it closes).

Closed waves are immutable (aggregates, cells and k are frozen at close), so their
:class:`WaveData` is kept in a small per-process cache keyed by every column of the wave's
row; an open wave is read afresh on every request. The cache lives as long as the process
and never serves another wave's data: a wave that closes gets a new key (``closed`` and
``responded_count`` are part of it), and ``public_id`` is unique across databases in practice.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from reports.aggregates import CellAggregate
from reports.aggregation import stored_aggregates
from reports.quarters import Quarter, quarter_of
from survey.db import DbSession
from survey.models import Answer, Intervention, Invitation, Response, Wave, WaveCell
from survey.waves.design import CellDesign
from survey.waves.services import WaveStatus, response_count, status


@dataclass(frozen=True)
class CellData:
    """One stored cell of a wave."""

    id: int
    key: tuple[tuple[str, str], ...]
    invited: int
    responses: int
    joined: int
    left: int


@dataclass(frozen=True)
class WaveData:
    """A wave with its cells and, when closed, its aggregates by cell id."""

    id: int
    label: str
    opens_on: dt.date
    closes_on: dt.date
    status: WaveStatus
    k: int
    k_comments: int
    invited: int
    responded: int
    quarter: Quarter
    cells: tuple[CellData, ...]
    aggregates: dict[int, CellAggregate] = field(default_factory=dict)
    design: CellDesign = field(default_factory=lambda: CellDesign((), ()))
    """What the wave reports: unit hierarchy, secondary attributes, folds, group sizes."""
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Results derived from this (immutable) wave: plans, pooled aggregates (``figures``)."""

    @property
    def closed(self) -> bool:
        """Figures exist only for closed waves."""
        return self.status == WaveStatus.CLOSED


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
        comments.setdefault(cell_id, []).append(text)
    return comments


def load_interventions(session: DbSession) -> list[tuple[dt.date, str, tuple[str, ...]]]:
    """Logged actions: (date, text, principle codes)."""
    return [
        (entry.on, entry.text, tuple(p.code for p in entry.principles))
        for entry in session.scalars(select(Intervention).order_by(Intervention.on))
    ]
