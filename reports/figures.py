"""Gated figures: every number a report shows is computed here, for groups the gate cleared.

This is the single path from aggregates to displayed figures (DESIGN.md decision 2): a group's
figure is computed only from a :class:`reports.disclosure.GroupDecision` that is shown, by
summing the aggregates of exactly the cells the gate vouched for.  Pages, PDF, JSON and exports
all call these functions; none of them sums aggregates on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from reports import aggregates as agg
from reports import disclosure
from reports.aggregates import CellAggregate, Measure, WaveData
from reports.disclosure import DisclosurePlan, GroupDecision
from reports.stats import Estimate, enps, favourability, mean_interval, score
from survey.waves.design import CONCURRENT


def attributes_of(wave: WaveData) -> list[str]:
    """What users may break down the wave by: its units broad to fine, then the secondary
    attributes it reports (never the concurrent-posts marker, which is not a breakdown)."""
    stored = [name for name, _value in wave.cells[0].key] if wave.cells else []
    ordered = [name for name in wave.design.attributes if name in stored]
    rest = [name for name in stored if name not in ordered]
    return [name for name in [*ordered, *rest] if name != CONCURRENT]


def hierarchy_of(wave: WaveData) -> list[str]:
    """The wave's unit levels, broad to fine, as frozen when it opened."""
    attributes = attributes_of(wave)
    return [level for level in wave.design.hierarchy if level in attributes]


def measures(aggregate: CellAggregate) -> list[Measure]:
    """Principle composites first, then every scored item."""
    return [*(Measure(principle=code) for code in aggregate.principles),
            *(Measure(item_id=spec.item_id) for spec in aggregate.items)]


def plan_for(wave: WaveData) -> DisclosurePlan:
    """The wave's disclosure plan over every requestable breakdown and every measure.

    Solved once per wave with the unit hierarchy the wave was opened with, and kept with the
    wave's data: a closed wave's data is immutable and cached per process
    (``reports.storage.load``), so its plan is too.
    """
    if "plan" not in wave.memo:
        wave.memo["plan"] = _plan(wave)
    return wave.memo["plan"]


def _plan(wave: WaveData) -> DisclosurePlan:
    attributes = attributes_of(wave)
    stored = {name for name, _value in wave.cells[0].key} if wave.cells else set()
    cells = [disclosure.Cell(key=c.key, invited=c.invited, responses=c.responses)
             for c in wave.cells]
    counts: dict[str, dict[tuple[tuple[str, str], ...], int]] = {}
    if wave.aggregates:
        stacked, _rows = _stacked(wave)
        for measure in measures(next(iter(wave.aggregates.values()))):
            answered = stacked.histograms(measure)[1].sum(axis=1).tolist()
            counts[measure.name] = {c.key: answered[i] for i, c in enumerate(wave.cells)}
    return disclosure.plan(cells, attributes, hierarchy_of(wave), wave.k,
                           measure_counts=counts, k_comments=wave.k_comments,
                           concurrent=CONCURRENT if CONCURRENT in stored else None)


def _stacked(wave: WaveData) -> tuple[agg.AggregateStack, dict[tuple, int]]:
    """The wave's cell aggregates stacked in cell order, and each cell key's row."""
    if "stack" not in wave.memo:
        wave.memo["stack"] = (agg.stack([wave.aggregates[c.id] for c in wave.cells]),
                              {c.key: row for row, c in enumerate(wave.cells)})
    return wave.memo["stack"]


def pooled(wave: WaveData, decision: GroupDecision) -> CellAggregate:
    """The sum of the aggregates of the cells a *shown* decision covers (memoised per wave)."""
    pool_groups(wave, [decision])
    return wave.memo[("pooled", decision.cells)]


def pool_groups(wave: WaveData, decisions: Sequence[GroupDecision]) -> None:
    """Pool every *shown* decision not pooled yet in one sparse product per array (a
    membership matrix, groups x cells, times the wave's stacked cell aggregates) and memoise
    each group's sum; :func:`pooled` then reads it.  The cost follows the cells of the groups
    shown, not one pass over the wave's cells per group."""
    if any(not d.shown for d in decisions):
        raise ValueError("figures of a suppressed group must never be computed")
    todo = list({d.cells: d for d in decisions if ("pooled", d.cells) not in wave.memo})
    if not todo:
        return
    stacked, rows = _stacked(wave)
    columns = [[rows[key] for key in cells] for cells in todo]
    member = sparse.csr_array(
        (np.ones(sum(map(len, columns)), dtype=np.int64),
         np.array([row for column in columns for row in column], dtype=np.intp),
         np.cumsum([0, *map(len, columns)])), shape=(len(todo), len(rows)))
    groups = stacked.pool(member)
    for index, cells in enumerate(todo):
        wave.memo[("pooled", cells)] = groups.aggregate(index)


@dataclass(frozen=True)
class GroupFigure:
    """One group's figure for one measure: the gate's decision and, if shown, the estimates."""

    decision: GroupDecision
    score: Estimate | None = None
    favourable: Estimate | None = None
    mean: Estimate | None = None
    enps: Estimate | None = None

    @property
    def shown(self) -> bool:
        """Whether any figure may be displayed."""
        return self.decision.shown

    @property
    def n(self) -> int | None:
        """Answers behind the figure (None when suppressed)."""
        return self.decision.n


def estimate(aggregate: CellAggregate, key: Measure) -> dict[str, Estimate]:
    """Score, favourability and mean (likert/composite) or eNPS (nps item) of one measure."""
    values, counts = agg.histogram(aggregate, key)
    if agg.agg_is_nps(aggregate, key):
        return {"enps": enps(values, counts)}
    return {"score": score(values, counts), "favourable": favourability(values, counts),
            "mean": mean_interval(values, counts)}


def group_figures(
    wave: WaveData, plan: DisclosurePlan, breakdown: Sequence[str], key: Measure
) -> list[GroupFigure]:
    """Figures of every group of ``breakdown`` for one measure; suppressed groups stay empty."""
    out = []
    decisions = plan.groups(tuple(breakdown), key.name)
    pool_groups(wave, [d for d in decisions if d.shown])
    for decision in decisions:
        if decision.shown:
            out.append(GroupFigure(decision, **estimate(pooled(wave, decision), key)))
        else:
            out.append(GroupFigure(decision))
    return out


def total_figure(wave: WaveData, plan: DisclosurePlan, key: Measure) -> GroupFigure:
    """The whole organisation's figure for one measure."""
    return group_figures(wave, plan, (), key)[0]


def remainder_figure(
    wave: WaveData, plan: DisclosurePlan, breakdown: Sequence[str], key: Measure
) -> GroupFigure | None:
    """The その他 group's figure for one measure (everyone in no shown group of
    ``breakdown``), or None when the gate does not allow it (see ``DisclosurePlan.coverage``)."""
    if not breakdown:
        return None
    coverage = plan.coverage(tuple(breakdown), key.name)
    if coverage is None or coverage.remainder is None:
        return None
    return GroupFigure(coverage.remainder, **estimate(pooled(wave, coverage.remainder), key))
