"""The preview of a wave's breakdowns before it opens (and after a roster import).

For the roster as it stands and the attributes the admin picks, it says which units will be
reported as themselves, which fold into which parent and why, how much of each secondary
attribute survives, and where concurrent posts (兼務) will count.  The counts are roster sizes
at open (invitees), not answers.  Pure: no Flask, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from survey.waves.cells import GENERALISED, CellKey, UnitFold, UnitPath, unit_path
from survey.waves.design import CONCURRENT, CellDesign, ConcurrentRule, Member, design_cells


class UnitStatus(StrEnum):
    """How a unit will appear in the wave's unit breakdowns."""

    OWN = "own"  # reported as itself, with every one of its people
    SMALL = "small"  # fewer than k people: counted within its parent
    PROTECTS = "protects"  # k or more, counted within its parent to protect a smaller group


@dataclass(frozen=True)
class UnitLine:
    """One unit of the roster and how it will be reported."""

    path: UnitPath
    level: str
    people: int
    status: UnitStatus
    into: UnitPath = ()


@dataclass(frozen=True)
class GroupCoverage:
    """One value of a secondary attribute: people whose figures will carry it, of all."""

    value: str
    covered: int
    total: int


@dataclass(frozen=True)
class AttributeCoverage:
    """How much of one attribute's breakdown survives generalisation."""

    name: str
    chosen: bool
    groups: tuple[GroupCoverage, ...]

    @property
    def covered(self) -> int:
        """People placed in a shown group of this attribute."""
        return sum(g.covered for g in self.groups)

    @property
    def total(self) -> int:
        """People with a value for this attribute."""
        return sum(g.total for g in self.groups)


@dataclass(frozen=True)
class ConcurrentLine:
    """A unit with concurrent posts: main members, concurrent ones and how many will count."""

    path: UnitPath
    main: int
    concurrent: int
    counted: int


@dataclass(frozen=True)
class CellPreview:
    """Everything the admin sees before a wave opens."""

    invited: int
    k: int
    design: CellDesign
    units: tuple[UnitLine, ...]
    attributes: tuple[AttributeCoverage, ...]
    concurrent: tuple[ConcurrentLine, ...]
    cells: int


def preview(
    members: Sequence[Member], hierarchy: Sequence[str], secondary: Sequence[str],
    candidates: Sequence[str], k: int, rule: ConcurrentRule = ConcurrentRule.MAIN,
) -> CellPreview:
    """The preview for ``secondary`` chosen among ``candidates`` (every non-unit attribute)."""
    design, keys = design_cells(members, hierarchy, secondary, k, rule)
    coverage = tuple(_attribute(members, hierarchy, name, k, name in design.secondary, keys)
                     for name in candidates if name not in hierarchy)
    return CellPreview(len(members), k, design, _units(members, design, k),
                       coverage, _concurrent(members, design, keys), len(set(keys)))


def unit_lines(
    members: Sequence[Member], hierarchy: Sequence[str], k: int,
    rule: ConcurrentRule = ConcurrentRule.MAIN,
) -> tuple[UnitLine, ...]:
    """How each unit would be reported, without the secondary columns' coverage.

    Units are protected before any secondary column gives way (see ``survey.waves.cells``), so
    the folds, and with them every unit's status, are the same whatever the wave chooses; this
    is the one cell design the summary after a roster import needs, where the full preview
    would work out one per column."""
    design, _keys = design_cells(members, hierarchy, [], k, rule)
    return _units(members, design, k)


def _units(members: Sequence[Member], design: CellDesign, k: int) -> tuple[UnitLine, ...]:
    """Every unit of the roster, with how it will be reported and where its people go."""
    sizes: Counter[UnitPath] = Counter()
    for member in members:
        path = unit_path(member.attributes, design.hierarchy)
        for depth in range(1, len(path) + 1):
            sizes[path[:depth]] += 1
    folds = {fold.path: fold for fold in design.folds}
    lines = []
    into: UnitPath
    for path in sorted(sizes):
        fold = next((folds[path[:d]] for d in range(len(path), 0, -1) if path[:d] in folds), None)
        if fold is None:
            status, into = UnitStatus.OWN, ()
        else:
            small = sizes[path] < k
            status = UnitStatus.SMALL if small or not fold.protects else UnitStatus.PROTECTS
            into = _destination(fold.into, folds)
        lines.append(UnitLine(path, design.hierarchy[len(path) - 1], sizes[path], status, into))
    return tuple(lines)


def _destination(into: UnitPath, folds: dict[UnitPath, UnitFold]) -> UnitPath:
    """Where a folded unit's people are finally stored: follow folds up to a kept unit."""
    while into in folds:
        into = folds[into].into
    return into


def _attribute(members: Sequence[Member], hierarchy: Sequence[str], name: str, k: int,
               chosen: bool, keys: Sequence[CellKey]) -> AttributeCoverage:
    """Coverage of ``name`` as chosen (from the keys) or as it would be if chosen alone."""
    if not chosen:
        keys = design_cells(members, hierarchy, [name], k)[1]
    totals = Counter(value for m in members if (value := m.attributes.get(name)))
    kept = Counter(dict(key)[name] for key in keys if dict(key)[name] != GENERALISED)
    return AttributeCoverage(name, chosen, tuple(
        GroupCoverage(value, kept.get(value, 0), total) for value, total in sorted(totals.items())))


def _concurrent(members: Sequence[Member], design: CellDesign,
                keys: Sequence[CellKey]) -> tuple[ConcurrentLine, ...]:
    main: Counter[UnitPath] = Counter()
    posts: Counter[UnitPath] = Counter()
    counted: Counter[UnitPath] = Counter()
    counting = design.concurrent_rule is ConcurrentRule.COUNTED
    for member, key in zip(members, keys, strict=True):
        path = unit_path(member.attributes, design.hierarchy)
        main.update(path[:depth] for depth in range(1, len(path) + 1))
        kept = counting and dict(key).get(CONCURRENT, GENERALISED) != GENERALISED
        for path in set(member.concurrent):
            posts[path] += 1
            counted[path] += int(kept)
    return tuple(ConcurrentLine(path, main.get(path, 0), posts[path], counted[path])
                 for path in sorted(posts))
