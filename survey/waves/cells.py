"""Generalise roster attributes into stored cells of at least k invitees (local recoding).

A response stores only its cell, so the cell must already be safe: a cell with fewer than k
invitees would let anyone holding the database single out its members.  Small cells are
generalised one attribute at a time, Datafly-style (Sweeney 2002, "Achieving k-anonymity privacy
protection using generalization and suppression"): the finest unit level rolls up first
(係 → 課), then other attributes become "*" (most distinct values first), then coarser units.
People whose cell is still below k after every attribute is "*" form the residual cell,
which reports never show on its own but which still counts in the organisation's total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

GENERALISED = "*"

CellKey = tuple[tuple[str, str], ...]


def cell_key(attributes: dict[str, str], names: Sequence[str]) -> CellKey:
    """The full (ungeneralised) key of a person over the chosen attribute names."""
    return tuple((name, attributes.get(name) or GENERALISED) for name in sorted(names))


def generalise(
    people: Sequence[dict[str, str]], names: Sequence[str], hierarchy: Sequence[str], k: int
) -> list[CellKey]:
    """One generalised cell key per person (same order), each cell ≥ k invitees where possible."""
    keys = [cell_key(person, names) for person in people]
    order = _suppression_order(people, names, hierarchy)
    for name in order:
        counts = Counter(keys)
        small = {key for key, count in counts.items() if count < k}
        if not small:
            break
        keys = [_suppress(key, name) if key in small else key for key in keys]
    return keys


def _suppression_order(
    people: Sequence[dict[str, str]], names: Sequence[str], hierarchy: Sequence[str]
) -> list[str]:
    """Finest unit level first, then other attributes by most distinct values, then the rest
    of the unit hierarchy from fine to broad (a unit is the most useful breakdown to keep)."""
    units = [name for name in reversed(hierarchy) if name in names]
    others = [name for name in names if name not in units]
    distinct = {name: len({p.get(name) for p in people}) for name in others}
    others.sort(key=lambda name: (-distinct[name], name))
    return units[:1] + others + units[1:]


def _suppress(key: CellKey, name: str) -> CellKey:
    return tuple((attr, GENERALISED if attr == name else value) for attr, value in key)
