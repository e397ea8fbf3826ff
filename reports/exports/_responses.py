"""The response-level export: one row per response, generalised until it cannot single anyone out.

Rows carry no id, token, time or order (they are shuffled with the operating system's CSPRNG).
Group attributes are generalised over the respondents' stored cells with the same unit-first
recoding that builds the cells (:func:`survey.waves.cells.generalise`) until every combination
holds at least *k* rows: secondary attributes give way first, a unit below *k* folds into its
parent, and a leftover of 1..k-1 takes in the smallest neighbours, so no row is silently dropped
(the wave's published total minus the exported rows would give their answers); rows are dropped
only when the whole wave has fewer than *k* responses.  One further rule keeps the export
consistent with the gate (docs/anonymity.md §4):

* Every piece that the gate's published groups and the export's classes together can single out
  must hold 0 or at least *k* rows; otherwise one more attribute is generalised for everyone.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from survey.waves.cells import GENERALISED, CellKey, generalise


@dataclass(frozen=True)
class Respondent:
    """One stored response: its stored cell key and its scored answers by item id."""

    cell: CellKey
    answers: Mapping[int, int]


@dataclass(frozen=True)
class GeneralisedRows:
    """Rows to export (generalised key, answers), shuffled, and how many were dropped."""

    rows: list[tuple[CellKey, Mapping[int, int]]]
    dropped: int


def generalise_rows(respondents: Sequence[Respondent], attributes: Sequence[str],
                    hierarchy: Sequence[str], k: int,
                    published: Iterable[frozenset[CellKey]] = ()) -> GeneralisedRows:
    """Generalise respondents' cells until every class (and every piece) holds ≥ k rows."""
    if k < 1:
        raise ValueError(f"k must be positive, got {k}")
    if len(respondents) < k:
        return GeneralisedRows([], len(respondents))
    sides = published_sides([r.cell for r in respondents], published)
    order = _coarsening_order(respondents, attributes, hierarchy)
    for forced in range(len(order) + 1):
        keys = _classes(respondents, attributes, hierarchy, k, order[:forced])
        if _pieces_ok(sides, keys, k):
            rows = [(key, r.answers) for key, r in zip(keys, respondents, strict=True)]
            random.SystemRandom().shuffle(rows)
            return GeneralisedRows(rows, 0)
    return GeneralisedRows([], len(respondents))  # the gate's own groups would leak: refuse


def _classes(respondents: Sequence[Respondent], attributes: Sequence[str],
             hierarchy: Sequence[str], k: int, forced: Sequence[str]) -> list[CellKey]:
    people = [{name: (GENERALISED if name in forced else value) for name, value in r.cell}
              for r in respondents]
    units = [name for name in hierarchy if name in attributes]
    return generalise(people, units, [a for a in attributes if a not in units], k)


def published_sides(cells: Sequence[CellKey], published: Iterable[frozenset[CellKey]]
                    ) -> list[int]:
    """Per row, a number naming the set of published groups its cell belongs to.

    Two rows get the same number exactly when every published group holds both or neither,
    which is all the piece check needs.  Indexed once per export: each group's cells are
    visited once (cost = the groups' total size plus the rows), instead of asking every
    group about every row.
    """
    memberships: dict[CellKey, list[int]] = {cell: [] for cell in cells}
    for number, group in enumerate(published):
        for cell in group:
            if cell in memberships:
                memberships[cell].append(number)
    names: dict[tuple[int, ...], int] = {}
    side = {cell: names.setdefault(tuple(groups), len(names))
            for cell, groups in memberships.items()}
    return [side[cell] for cell in cells]


def _pieces_ok(sides: Sequence[int], keys: Sequence[CellKey], k: int) -> bool:
    """Every set of rows told apart by (published groups, export class) is 0 or ≥ k."""
    pieces = Counter(zip(sides, keys, strict=True))
    return all(count >= k for count in pieces.values())


def _coarsening_order(respondents: Sequence[Respondent], attributes: Sequence[str],
                      hierarchy: Sequence[str]) -> list[str]:
    """Secondary attributes first (most distinct values first), then units from fine to broad."""
    units = [name for name in reversed(hierarchy) if name in attributes]
    others = [name for name in attributes if name not in units]
    distinct = {name: len({dict(r.cell).get(name) for r in respondents}) for name in others}
    others.sort(key=lambda name: (-distinct[name], name))
    return others + units
