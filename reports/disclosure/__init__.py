"""The one disclosure-control gate every report, PDF, API answer and export goes through.

Pure: no Flask, no SQLAlchemy. Give it a wave's stored cells; it decides, across every
breakdown a user could request, which group figures may be published so that no figure
about 1..k-1 people can be worked out by adding or subtracting published ones.
See ``docs/anonymity.md`` for the threat model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._model import (
    DEFAULT_K,
    DEFAULT_K_COMMENTS,
    GENERALISED,
    MIN_K,
    Breakdown,
    Cell,
    CellKey,
    CommentGroup,
    Coverage,
    GroupDecision,
    Label,
    ReachWarning,
    Reason,
    Status,
    check_cells,
    check_measure,
    check_thresholds,
)
from ._plan import DisclosurePlan, build
from ._waves import ChangeGate, comparable, comparable_within_unit

__all__ = [
    "DEFAULT_K",
    "DEFAULT_K_COMMENTS",
    "GENERALISED",
    "MIN_K",
    "Breakdown",
    "Cell",
    "CellKey",
    "ChangeGate",
    "CommentGroup",
    "Coverage",
    "DisclosurePlan",
    "GroupDecision",
    "Label",
    "ReachWarning",
    "Reason",
    "Status",
    "comparable",
    "comparable_within_unit",
    "plan",
]


def plan(cells: Sequence[Cell], attributes: Sequence[str], hierarchy: Sequence[str] = (),
         k: int = DEFAULT_K, *, measure_counts: Mapping[str, Mapping[CellKey, int]] | None = None,
         k_comments: int = DEFAULT_K_COMMENTS, concurrent: str | None = None) -> DisclosurePlan:
    """Solve which groups of one wave may be published.

    Parameters
    ----------
    cells : the wave's stored generalised cells with invited and response counts.
    attributes : roster group attributes users can break down by, in display order.
    hierarchy : unit attributes from broad to fine (e.g. 部, 課, 係); a small unit rolls up.
    k : minimum group size, frozen for the wave; at least 3.
    measure_counts : per measure (item, composite, nps), answers per cell key; cells
        left out answered 0. Each measure is solved on its own answer counts.
    k_comments : minimum responses for free text; at least k.
    concurrent : the cell attribute naming concurrent posts (兼務) when a wave counts them;
        a cell then also belongs to those units' groups. Not a breakdown of its own.

    Raises
    ------
    ValueError
        For k < 3, k_comments < k, malformed cells or answer counts above responses.
    """
    check_thresholds(k, k_comments)
    attributes, hierarchy = tuple(attributes), tuple(hierarchy)
    check_cells(cells, attributes, hierarchy, (concurrent,) if concurrent else ())
    answered = {name: dict(counts) for name, counts in (measure_counts or {}).items()}
    for name, counts in answered.items():
        check_measure(name, counts, cells)
    ordered = sorted(cells, key=lambda c: c.key)
    return build(ordered, attributes, hierarchy, k, k_comments, answered, concurrent)
