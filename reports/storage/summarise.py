"""The close-time summariser: a closing wave's answers into one stored aggregate per cell.

A closed wave is summarised once, at close, into one :class:`reports.aggregates.CellAggregate`
per stored cell; reports then read only those rows, so a report over years of data for 100,000
staff costs about as much as one for a small town (DESIGN.md decision 4).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import select

from reports.aggregates import CellAggregate, ItemSpec, build_cell_aggregate
from survey.db import DbSession
from survey.models import (
    Answer,
    ItemKind,
    Response,
    StoredAggregate,  # the stored row of a pure CellAggregate
    Wave,
    WaveCell,
)


def item_specs(wave: Wave) -> tuple[ItemSpec, ...]:
    """The wave's scored items (likert5, nps11) in questionnaire order."""
    return tuple(
        ItemSpec(
            item_id=entry.item.id,
            kind=str(entry.item.kind),
            principle=entry.item.principle.code if entry.item.principle else None,
            reverse=entry.item.reverse if entry.item.kind == ItemKind.LIKERT5 else False,
        )
        for entry in wave.items
        if entry.item.kind in (ItemKind.LIKERT5, ItemKind.NPS11)
    )


def raw_matrices(
    session: DbSession, wave: Wave, specs: tuple[ItemSpec, ...]
) -> dict[int, np.ndarray]:
    """Per cell id, the (respondents × items) answer matrix with NaN for skipped items."""
    column = {spec.item_id: index for index, spec in enumerate(specs)}
    rows = session.execute(
        select(Response.cell_id, Answer.response_id, Answer.item_id, Answer.value)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.wave_id == wave.id, Answer.value.is_not(None))
    )
    by_response: dict[object, tuple[int, list[tuple[int, int]]]] = {}
    for cell_id, response_id, item_id, value in rows:
        if item_id in column and value is not None:  # (the query already leaves skips out)
            by_response.setdefault(response_id, (cell_id, []))[1].append((column[item_id], value))
    per_cell: dict[int, list[list[tuple[int, int]]]] = defaultdict(list)
    for cell_id, answers in by_response.values():
        per_cell[cell_id].append(answers)
    matrices = {}
    for cell_id, people in per_cell.items():
        matrix = np.full((len(people), len(specs)), np.nan)
        for row, answers in enumerate(people):
            for col, value in answers:
                matrix[row, col] = value
        matrices[cell_id] = matrix
    return matrices


def summarise_wave(session: DbSession, wave: Wave) -> None:
    """Store one aggregate per cell of a closing wave (empty cells get an empty aggregate)."""
    specs = item_specs(wave)
    matrices = raw_matrices(session, wave, specs)
    empty = np.empty((0, len(specs)))
    cells = session.scalars(select(WaveCell).where(WaveCell.wave_id == wave.id))
    for cell in cells:
        aggregate = build_cell_aggregate(matrices.get(cell.id, empty), specs)
        session.add(
            StoredAggregate(
                wave_id=wave.id,
                cell_id=cell.id,
                responses=aggregate.n_respondents,
                payload=aggregate.to_dict(),
            )
        )


def stored_aggregates(session: DbSession, wave: Wave) -> dict[int, CellAggregate]:
    """A closed wave's aggregates by cell id."""
    rows = session.scalars(select(StoredAggregate).where(StoredAggregate.wave_id == wave.id))
    return {row.cell_id: CellAggregate.from_dict(row.payload) for row in rows}
