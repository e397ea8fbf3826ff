"""What a wave will report, decided when it opens: the cell design and its preview.

The design names the unit hierarchy, the secondary attributes the admin chose to report (data
minimisation: attributes not chosen are never stored with answers), the rule for concurrent
posts (兼務), the units folded into their parents and the full size of every group at open, so
that a report can say how much of a group a figure covers.  The preview shows the same, before
the wave opens, for the admin to decide on.  Pure: no Flask, no database.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from survey.waves.cells import (
    GENERALISED,
    CellKey,
    UnitFold,
    UnitPath,
    generalise_with_folds,
    unit_path,
)

#: The cell attribute that carries concurrent posts when the organisation counts them.
CONCURRENT = "concurrent_posts"


class ConcurrentRule(StrEnum):
    """Where an answer of someone with a concurrent post (兼務) counts."""

    MAIN = "main"  # once, in the main unit's figures only
    COUNTED = "counted"  # in the main unit and, where k allows, in each concurrent unit too


@dataclass(frozen=True)
class Member:
    """One invitee as the design sees them: group attributes and concurrent unit paths."""

    attributes: Mapping[str, str]
    concurrent: tuple[UnitPath, ...] = ()


@dataclass(frozen=True)
class CellDesign:
    """A wave's reporting design, frozen at open (stored as ``Wave.cell_design``)."""

    hierarchy: tuple[str, ...]
    secondary: tuple[str, ...]
    concurrent_rule: ConcurrentRule = ConcurrentRule.MAIN
    folds: tuple[UnitFold, ...] = ()
    sizes: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def attributes(self) -> tuple[str, ...]:
        """The attributes stored in the wave's cells: units broad to fine, then the rest."""
        extra = (CONCURRENT,) if self.concurrent_rule is ConcurrentRule.COUNTED else ()
        return (*self.hierarchy, *self.secondary, *extra)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the database."""
        return {"hierarchy": list(self.hierarchy), "secondary": list(self.secondary),
                "concurrent_rule": str(self.concurrent_rule),
                "folds": [{"path": list(f.path), "into": list(f.into), "size": f.size,
                           "protects": f.protects} for f in self.folds],
                "sizes": {name: dict(values) for name, values in self.sizes.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CellDesign:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(data.get("hierarchy", ())), tuple(data.get("secondary", ())),
                   ConcurrentRule(data.get("concurrent_rule", ConcurrentRule.MAIN)),
                   tuple(UnitFold(tuple(f["path"]), tuple(f["into"]), int(f["size"]),
                                  bool(f["protects"])) for f in data.get("folds", ())),
                   {name: {v: int(n) for v, n in values.items()}
                    for name, values in data.get("sizes", {}).items()})


def concurrent_value(paths: Sequence[UnitPath]) -> str:
    """The cell value naming a set of concurrent unit paths (JSON, sorted; '' for none)."""
    return json.dumps(sorted(list(p) for p in set(paths)), ensure_ascii=False) if paths else ""


def concurrent_paths(value: str) -> list[UnitPath]:
    """Inverse of :func:`concurrent_value`; the generalised value holds no path."""
    if not value or value == GENERALISED:
        return []
    return [tuple(path) for path in json.loads(value)]


def design_cells(
    members: Sequence[Member], hierarchy: Sequence[str], secondary: Sequence[str], k: int,
    rule: ConcurrentRule = ConcurrentRule.MAIN,
) -> tuple[CellDesign, list[CellKey]]:
    """The design and one stored cell key per member (same order)."""
    hierarchy = tuple(hierarchy)
    secondary = tuple(s for s in dict.fromkeys(secondary) if s not in hierarchy)
    rows = [_row(m, rule) for m in members]
    extra = (CONCURRENT,) if rule is ConcurrentRule.COUNTED else ()
    keys, folds = generalise_with_folds(rows, hierarchy, (*secondary, *extra), k)
    design = CellDesign(hierarchy, secondary, rule, tuple(folds),
                        group_sizes(members, hierarchy, secondary, rule))
    return design, keys


def _row(member: Member, rule: ConcurrentRule) -> Mapping[str, str]:
    if rule is ConcurrentRule.MAIN or not member.concurrent:
        return member.attributes
    return {**member.attributes, CONCURRENT: concurrent_value(member.concurrent)}


def group_sizes(
    members: Sequence[Member], hierarchy: Sequence[str], secondary: Sequence[str],
    rule: ConcurrentRule = ConcurrentRule.MAIN,
) -> dict[str, dict[str, int]]:
    """How many invitees each group has at open, whatever the cells could keep.

    A unit counts everyone whose unit path passes through it (and, when concurrent posts are
    counted, everyone with a post there), so that a report can compare its figure's coverage
    with the whole group.
    """
    sizes: dict[str, Counter[str]] = {name: Counter() for name in (*hierarchy, *secondary)}
    for member in members:
        paths = {unit_path(member.attributes, hierarchy)}
        if rule is ConcurrentRule.COUNTED:
            paths |= set(member.concurrent)
        for level, value in {(hierarchy[d], p[d]) for p in paths for d in range(len(p))}:
            sizes[level][value] += 1
        for name in secondary:
            if member.attributes.get(name):
                sizes[name][member.attributes[name]] += 1
    return {name: dict(sorted(counts.items())) for name, counts in sizes.items()}


def recommended_secondary(
    members: Sequence[Member], hierarchy: Sequence[str], candidates: Sequence[str], k: int
) -> list[str]:
    """The default choice: no secondary attribute, or the one that covers the most people
    among those with two or more values, each reaching k in the whole organisation.

    A column is recommended only when it would be shown for at least half the roster: one
    that survives in a few large units costs every other unit its finer cells (secondary
    values give way inside each unit) for a breakdown that speaks for a minority of staff."""
    eligible = []
    for name in candidates:
        if name in hierarchy:
            continue
        counts = Counter(m.attributes.get(name) for m in members if m.attributes.get(name))
        if len(counts) > 1 and min(counts.values()) >= k:  # one value is no breakdown
            eligible.append(name)
    best: tuple[int, str] | None = None
    for name in eligible:
        _design, keys = design_cells(members, hierarchy, [name], k)
        covered = sum(1 for key in keys if dict(key)[name] != GENERALISED)
        if 2 * covered >= len(members) and (best is None or (covered, name) > best):
            best = (covered, name)
    return [best[1]] if best else []
