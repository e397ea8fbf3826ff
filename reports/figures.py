"""Gated figures: every number a report shows is computed here, for groups the gate cleared.

This is the single path from aggregates to displayed figures (DESIGN.md decision 2): a group's
figure is computed only from a :class:`reports.disclosure.GroupDecision` that is shown, by
summing the aggregates of exactly the cells the gate vouched for.  Pages, PDF, JSON and exports
all call these functions; none of them sums aggregates on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports import aggregates as agg
from reports import disclosure
from reports.aggregates import CellAggregate
from reports.disclosure import DisclosurePlan, GroupDecision
from reports.loading import WaveData
from reports.stats import Estimate, enps, favourability, mean_interval, score

MeasureKey = int | str  # an item id, or a principle code for its composite


def measure_name(key: MeasureKey) -> str:
    """The gate's name of a measure: ``principle:<code>`` or ``item:<id>``."""
    return f"principle:{key}" if isinstance(key, str) else f"item:{key}"


def attributes_of(wave: WaveData) -> list[str]:
    """The roster attributes the wave's cells carry (what users may break down by)."""
    return [name for name, _value in wave.cells[0].key] if wave.cells else []


def measure_keys(aggregate: CellAggregate) -> list[MeasureKey]:
    """Principle composites first, then every scored item."""
    return [*aggregate.principles, *(spec.item_id for spec in aggregate.items)]


def _answered(aggregate: CellAggregate, key: MeasureKey) -> int:
    return int(agg.histogram(aggregate, key)[1].sum())


def plan_for(wave: WaveData, hierarchy: Sequence[str]) -> DisclosurePlan:
    """The wave's disclosure plan over every requestable breakdown and every measure."""
    attributes = attributes_of(wave)
    cells = [disclosure.Cell(key=c.key, invited=c.invited, responses=c.responses)
             for c in wave.cells]
    counts: dict[str, dict[tuple[tuple[str, str], ...], int]] = {}
    if wave.aggregates:
        keys = measure_keys(next(iter(wave.aggregates.values())))
        for key in keys:
            counts[measure_name(key)] = {
                c.key: _answered(wave.aggregates[c.id], key) for c in wave.cells}
    return disclosure.plan(cells, attributes, [h for h in hierarchy if h in attributes],
                           wave.k, measure_counts=counts, k_comments=wave.k_comments)


def pooled(wave: WaveData, decision: GroupDecision) -> CellAggregate:
    """The sum of the aggregates of the cells a *shown* decision covers."""
    if not decision.shown:
        raise ValueError("figures of a suppressed group must never be computed")
    by_key = {c.key: wave.aggregates[c.id] for c in wave.cells}
    return sum((by_key[key] for key in decision.cells), start=0)  # type: ignore[arg-type]


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


def estimate(aggregate: CellAggregate, key: MeasureKey) -> dict[str, Estimate]:
    """Score, favourability and mean (likert/composite) or eNPS (nps item) of one measure."""
    values, counts = agg.histogram(aggregate, key)
    if agg.agg_is_nps(aggregate, key):
        return {"enps": enps(values, counts)}
    return {"score": score(values, counts), "favourable": favourability(values, counts),
            "mean": mean_interval(values, counts)}


def group_figures(
    wave: WaveData, plan: DisclosurePlan, breakdown: Sequence[str], key: MeasureKey
) -> list[GroupFigure]:
    """Figures of every group of ``breakdown`` for one measure; suppressed groups stay empty."""
    out = []
    for decision in plan.groups(tuple(breakdown), measure_name(key)):
        if decision.shown:
            out.append(GroupFigure(decision, **estimate(pooled(wave, decision), key)))
        else:
            out.append(GroupFigure(decision))
    return out


def total_figure(wave: WaveData, plan: DisclosurePlan, key: MeasureKey) -> GroupFigure:
    """The whole organisation's figure for one measure."""
    return group_figures(wave, plan, (), key)[0]
