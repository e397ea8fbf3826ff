"""Where a wave reports a unit: as itself, or within the smallest enclosing unit that keeps k.

A wave's cells are decided when it opens (:mod:`survey.waves.cells`): a unit below k, or one
folded to protect a smaller neighbour, is stored within its parent, and the folds are recorded
on the wave's :class:`~survey.waves.design.CellDesign`.  A unit head's report must say "your 係
is reported within 総務課", and must never show a figure for a unit the cells do not hold.
What this module answers is what the *cells* allow; whether a particular figure of the reported
unit is then shown is still the disclosure gate's decision (reports/disclosure).

Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from survey.waves.cells import UnitFold, UnitPath
from survey.waves.design import CellDesign


class Placement(StrEnum):
    """How a unit appears in a wave."""

    OWN = "own"  # reported as itself
    WITHIN = "within"  # counted within ``reported_as`` (below k, or folded to protect another)
    ABSENT = "absent"  # nobody of this unit was invited to the wave


@dataclass(frozen=True)
class ReportedUnit:
    """A unit of the roster and the unit a wave reports it as.

    ``reported_as`` is the unit itself (OWN), the smallest enclosing unit that is stored as
    itself (WITHIN; ``()`` is the whole organisation), or None (ABSENT).  ``folded`` is the
    outermost unit on the path that the wave folded (``path`` itself or one of its parents).
    ``protects`` is True when that fold was made only to protect a smaller neighbour.
    """

    path: UnitPath
    placement: Placement
    reported_as: UnitPath | None
    folded: UnitPath | None = None
    protects: bool = False


def reported_unit(design: CellDesign, path: Sequence[str]) -> ReportedUnit:
    """Where ``design`` (a wave's frozen cell design) reports the unit ``path``."""
    path = tuple(path)
    if not path:
        return ReportedUnit(path, Placement.OWN, ())
    if not _invited(design, path):
        return ReportedUnit(path, Placement.ABSENT, None)
    folds = {fold.path: fold for fold in design.folds}
    outer = next((path[:depth] for depth in range(1, len(path) + 1) if path[:depth] in folds),
                 None)
    if outer is None:
        return ReportedUnit(path, Placement.OWN, path)
    return ReportedUnit(path, Placement.WITHIN, _destination(folds[outer].into, folds), outer,
                        folds[outer].protects)


def _destination(into: UnitPath, folds: Mapping[UnitPath, UnitFold]) -> UnitPath:
    """Follow folds up to the first unit stored as itself."""
    while into in folds:
        into = folds[into].into
    return into


def _invited(design: CellDesign, path: UnitPath) -> bool:
    """Whether the wave had anyone in ``path`` at open (its size was recorded; a design
    stored before sizes were recorded cannot tell, and is taken to have had them)."""
    if len(path) > len(design.hierarchy):
        return False
    if not design.sizes:
        return True
    return design.sizes.get(design.hierarchy[len(path) - 1], {}).get(path[-1], 0) > 0
