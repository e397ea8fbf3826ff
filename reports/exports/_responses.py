"""The response-level export: one row per response, generalised until it cannot single anyone out.

Rows carry no id, token, time or order (they are shuffled with the operating system's CSPRNG).
Group attributes are generalised over the respondents' stored cells with the same Datafly-style
recoding that builds the cells (:func:`survey.waves.cells.generalise`) until every combination
holds at least *k* rows.  Two further rules keep the export consistent with the gate
(docs/anonymity.md §4):

* A residual of 1..k-1 rows that stay below *k* even with every attribute generalised is not
  silently dropped — the wave's published total minus the exported rows would give their
  answers.  The smallest classes are generalised into it until it reaches *k*; rows are dropped
  only when the whole wave has fewer than *k* responses.
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
    published = [frozenset(group) for group in published]
    order = _coarsening_order(respondents, attributes, hierarchy)
    for forced in range(len(order) + 1):
        keys = _classes(respondents, attributes, hierarchy, k, order[:forced])
        if _pieces_ok(respondents, keys, published, k):
            rows = [(key, r.answers) for key, r in zip(keys, respondents, strict=True)]
            random.SystemRandom().shuffle(rows)
            return GeneralisedRows(rows, 0)
    return GeneralisedRows([], len(respondents))  # the gate's own groups would leak: refuse


def _classes(respondents: Sequence[Respondent], attributes: Sequence[str],
             hierarchy: Sequence[str], k: int, forced: Sequence[str]) -> list[CellKey]:
    people = [{name: (GENERALISED if name in forced else value) for name, value in r.cell}
              for r in respondents]
    keys = generalise(people, list(attributes), list(hierarchy), k)
    return _absorb_residual(keys, k)


def _absorb_residual(keys: list[CellKey], k: int) -> list[CellKey]:
    """Generalise the smallest classes fully until no class is below k."""
    if not keys:
        return keys
    everything = tuple((name, GENERALISED) for name, _ in keys[0])
    keys = [everything if Counter(keys)[key] < k else key for key in keys]
    counts = Counter(keys)
    while 0 < counts.get(everything, 0) < k:
        smallest = min((key for key in counts if key != everything), key=lambda c: (counts[c], c))
        keys = [everything if key == smallest else key for key in keys]
        counts = Counter(keys)
    return keys


def _pieces_ok(respondents: Sequence[Respondent], keys: Sequence[CellKey],
               published: Sequence[frozenset[CellKey]], k: int) -> bool:
    """Every set of rows told apart by (published groups, export class) is 0 or ≥ k."""
    signatures = Counter(
        (tuple(r.cell in group for group in published), key)
        for r, key in zip(respondents, keys, strict=True))
    return all(count >= k for count in signatures.values())


def _coarsening_order(respondents: Sequence[Respondent], attributes: Sequence[str],
                      hierarchy: Sequence[str]) -> list[str]:
    units = [name for name in reversed(hierarchy) if name in attributes]
    others = [name for name in attributes if name not in units]
    distinct = {name: len({dict(r.cell).get(name) for r in respondents}) for name in others}
    others.sort(key=lambda name: (-distinct[name], name))
    return units[:1] + others + units[1:]
