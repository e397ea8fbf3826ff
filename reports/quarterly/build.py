"""The quarterly culture report as data: what leadership reads, before any rendering.

The quarter's figure is its **last closed wave**: the same people answer every pulse, so pooling
a quarter's waves would count responses, not people, and make intervals too narrow
(docs/methods.md).  Changes compare it with the last closed wave of an earlier quarter.  Before a
change is called a change its p-value is adjusted (Benjamini–Hochberg) within a fixed family:
the organisation's comparisons (every principle and the eNPS) are one family, and the group
comparisons of the breakdown shown are another, so the organisation's q-values never depend on
which breakdown the page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from reports import aggregates as agg
from reports import disclosure, stats
from reports.aggregates import ActionMarker, Measure, PrincipleMeta, WaveData
from reports.disclosure import DisclosurePlan
from reports.figures import (
    GroupFigure,
    attributes_of,
    estimate,
    group_figures,
    hierarchy_of,
    plan_for,
    pool_groups,
    pooled,
)
from reports.quarters import Quarter

DAYS_PER_QUARTER = 365.25 / 4


@dataclass(frozen=True)
class Change:
    """A gated comparison of one group and measure between two waves."""

    gate: disclosure.ChangeGate
    comparison: stats.Comparison | None = None
    verdict: stats.ChangeVerdict | None = None

    @property
    def shown(self) -> bool:
        """Whether the change may be displayed at all."""
        return self.gate.shown and self.comparison is not None


@dataclass(frozen=True)
class TrendPoint:
    """One closed wave's total figure for a measure."""

    wave: str
    closes_on: dt.date
    figure: GroupFigure


@dataclass(frozen=True)
class Trend:
    """Wave-by-wave figures and the trend tests that are valid for their number."""

    points: tuple[TrendPoint, ...]
    wls: stats.TrendResult
    mann_kendall: stats.MannKendallResult
    theil_sen: stats.TrendResult
    interventions: tuple[tuple[ActionMarker, stats.InterventionResult], ...] = ()


@dataclass(frozen=True)
class MeasureSection:
    """Everything the report says about one measure (a principle composite or the eNPS item)."""

    key: Measure
    current: GroupFigure
    change: Change | None
    trend: Trend
    alpha: stats.AlphaResult | None = None
    driver: stats.CorrelationResult | None = None
    items: tuple[ItemSection, ...] = ()


@dataclass(frozen=True)
class ItemSection:
    """One item's distribution this quarter (counts only when the gate shows the total)."""

    item_id: int
    figure: GroupFigure
    counts: tuple[int, ...] | None


@dataclass(frozen=True)
class GroupRow:
    """One group of the chosen breakdown: a figure and a change per principle."""

    decision: disclosure.GroupDecision
    figures: dict[str, GroupFigure]
    changes: dict[str, Change | None]
    invited: int | None = None
    """Everyone of the group invited at open (a roster fact), None where unknown."""

    @property
    def is_remainder(self) -> bool:
        """True for the その他 row: everyone in no shown group."""
        return all(value == disclosure.GENERALISED for _name, value in self.decision.label)


@dataclass(frozen=True)
class QuarterReport:
    """The whole quarterly report; ``wave`` is None when the quarter has no closed wave."""

    quarter: Quarter
    wave: WaveData | None
    previous: WaveData | None
    principles: tuple[PrincipleMeta, ...]
    sections: dict[str, MeasureSection] = field(default_factory=dict)
    enps: MeasureSection | None = None
    breakdown: str | None = None
    attributes: tuple[str, ...] = ()
    groups: tuple[GroupRow, ...] = ()
    coverage: disclosure.Coverage | None = None
    hierarchy: tuple[str, ...] = ()
    concurrent_rule: str = "main"
    participation: tuple[tuple[WaveData, disclosure.GroupDecision], ...] = ()
    group_participation: tuple[disclosure.GroupDecision, ...] = ()
    comments: tuple[disclosure.CommentGroup, ...] = ()
    weights: stats.RelativeWeightsResult | None = None
    thresholds: dict[str, float] = field(default_factory=dict)


def current_and_previous(
    waves: Sequence[WaveData], quarter: Quarter
) -> tuple[WaveData | None, WaveData | None]:
    """The quarter's last closed wave, and the last closed wave of an earlier quarter."""
    closed = [w for w in waves if w.closed]
    inside = [w for w in closed if w.quarter == quarter]
    current = inside[-1] if inside else None
    earlier = [w for w in closed if w.quarter < quarter]
    return current, earlier[-1] if earlier else None


def _change(
    prev_wave: WaveData, prev_plan: DisclosurePlan, cur_wave: WaveData, cur_plan: DisclosurePlan,
    breakdown: tuple[str, ...], label: tuple, key: Measure,
) -> Change:
    before = _decision(prev_plan, breakdown, key, label)
    after = _decision(cur_plan, breakdown, key, label)
    if before is None or after is None:
        gate = disclosure.ChangeGate(disclosure.Status.SUPPRESSED, disclosure.Reason.NOT_IN_BOTH,
                                     "the group or measure is not in both waves")
        return Change(gate)
    inside = set(after.cells)
    joined = sum(c.joined for c in cur_wave.cells if c.key in inside)
    left = sum(c.left for c in cur_wave.cells if c.key in inside)
    gate = disclosure.comparable(before, after, joined, left, max(prev_wave.k, cur_wave.k))
    if not gate.shown:
        return Change(gate)
    comparison = agg.compare(pooled(prev_wave, before), pooled(cur_wave, after), key)
    return Change(gate, comparison)


def _decision(
    plan: DisclosurePlan, breakdown: tuple[str, ...], key: Measure, label: tuple
) -> disclosure.GroupDecision | None:
    """The group's decision, or None when the wave has no such measure, attribute or group
    (principles, items, roster columns and units change between waves)."""
    if key.name not in plan.measures or not set(breakdown) <= set(plan.attributes):
        return None
    for decision in plan.groups(breakdown, key.name):
        if decision.label == label:
            return decision
    return None


#: Which group of a wave's plan a trend follows (a unit head's unit; None where it has none).
FigureOf = Callable[[WaveData, DisclosurePlan, Measure], "GroupFigure | None"]


def _organisation_figure(wave: WaveData, plan: DisclosurePlan, key: Measure) -> GroupFigure:
    return group_figures(wave, plan, (), key)[0]


def _trend(
    waves: Sequence[WaveData], plans: dict[int, DisclosurePlan], key: Measure,
    interventions: Sequence[ActionMarker], group_figure: FigureOf = _organisation_figure,
) -> Trend:
    """Wave-by-wave figures of one group of each wave's plan (the organisation unless
    ``group_figure`` picks another), the trend tests, and each plan's before/after effect."""
    points = []
    for wave in waves:
        if key.name not in plans[wave.id].measures:
            continue  # a principle or item the wave did not ask has no point, not an error
        figure = group_figure(wave, plans[wave.id], key)
        if figure is not None and figure.shown:
            points.append(TrendPoint(wave.label, wave.closes_on, figure))
    figure_of = "enps" if key.is_item else "score"
    usable = [p for p in points if getattr(p.figure, figure_of) is not None
              and getattr(p.figure, figure_of).computable]
    times = np.array([_quarters_since(usable[0].closes_on, p.closes_on) for p in usable]) \
        if usable else np.array([])
    values = np.array([getattr(p.figure, figure_of).estimate for p in usable])
    weights = np.array([p.figure.n or 0 for p in usable], dtype=float)
    effects = tuple(
        (event, stats.intervention_effect(
            times, values, weights, _quarters_since(usable[0].closes_on, event.on)))
        for event in interventions
        if usable and (key.is_item or key.principle in event.principles)
    )
    return Trend(tuple(points), stats.trend_wls(times, values, weights),
                 stats.mann_kendall(values), stats.theil_sen(times, values), effects)


def _quarters_since(origin: dt.date, day: dt.date) -> float:
    return (day - origin).days / DAYS_PER_QUARTER


def build_quarter_report(
    waves: Sequence[WaveData], quarter: Quarter, principles: Sequence[PrincipleMeta],
    breakdown: str | None = None,
    interventions: Sequence[ActionMarker] = (), thresholds: dict[str, float] | None = None,
    comments_by_cell: dict[int, list[str]] | None = None,
) -> QuarterReport:
    """Assemble the quarter's report from loaded waves (pure: no database, no Flask)."""
    upto = [w for w in waves if w.quarter <= quarter]
    current, previous = current_and_previous(upto, quarter)
    # Every wave's overall rate goes through the gate too: an open wave's live count below k
    # is not shown (its figures wait for the close anyway).
    participation = tuple((w, plan_for(w).response_rates(())[0]) for w in upto)
    meta = tuple(principles)
    if current is None:
        return QuarterReport(quarter, None, previous, meta, participation=participation)
    closed = [w for w in upto if w.closed]
    plans = {w.id: plan_for(w) for w in closed}
    aggregate = next(iter(current.aggregates.values()))
    codes = [p.code for p in meta if p.code in aggregate.principles]
    attributes = offered_breakdowns(current)
    chosen = breakdown if breakdown in attributes else default_breakdown(current, attributes)
    sections = {code: _section(current, previous, plans, closed, Measure(principle=code),
                               interventions)
                for code in codes}
    nps = aggregate.nps_item
    enps_section = (_section(current, previous, plans, closed, Measure(item_id=nps.item_id),
                             interventions)
                    if nps is not None else None)
    coverage = plans[current.id].coverage((chosen,)) if chosen else None
    # A breakdown where nothing survives says so once instead of a table of hidden groups.
    rows = (_group_rows(current, previous, plans, chosen, codes)
            if chosen and (coverage is None or coverage.covered) else ())
    judged = _judge_all(sections, enps_section, rows, thresholds)
    return QuarterReport(
        quarter, current, previous, meta,
        sections=judged["sections"], enps=judged["enps"], breakdown=chosen,
        attributes=attributes, groups=judged["rows"],
        coverage=coverage,
        hierarchy=tuple(hierarchy_of(current)),
        concurrent_rule=str(current.design.concurrent_rule), participation=participation,
        group_participation=tuple(plans[current.id].response_rates((chosen,)) if chosen else ()),
        comments=tuple(plans[current.id].comments((), _comments_by_key(current,
                                                                          comments_by_cell))),
        weights=_weights(current, plans[current.id]),
        thresholds={**stats.DEFAULT_THRESHOLDS, **(thresholds or {})},
    )


def offered_breakdowns(wave: WaveData) -> tuple[str, ...]:
    """Attributes worth offering: those with at least one group of k or more invitees.

    A breakdown none of whose groups can ever be shown is not offered in the selector."""
    plan = plan_for(wave)
    never = {w.breakdown for w in plan.warnings([(a,) for a in attributes_of(wave)])
             if w.code == "never_reaches_k"}
    return tuple(a for a in attributes_of(wave) if (a,) not in never)


def default_breakdown(wave: WaveData, offered: Sequence[str]) -> str | None:
    """The unit level leadership reads first: the broadest one that splits the organisation
    into at least two shown units, else the first offered attribute."""
    plan = plan_for(wave)
    for level in hierarchy_of(wave):
        if level in offered and sum(d.shown for d in plan.groups((level,))) >= 2:
            return level
    return offered[0] if offered else None


def _comments_by_key(
    wave: WaveData, by_cell: dict[int, list[str]] | None
) -> dict[tuple, list[str]]:
    if not by_cell:
        return {}
    keys = {c.id: c.key for c in wave.cells}
    return {keys[cell_id]: texts for cell_id, texts in by_cell.items() if cell_id in keys}


def _section(
    current: WaveData, previous: WaveData | None, plans: dict[int, DisclosurePlan],
    closed: Sequence[WaveData], key: Measure, interventions: Sequence[ActionMarker],
) -> MeasureSection:
    plan = plans[current.id]
    figure = group_figures(current, plan, (), key)[0]
    change = (_change(previous, plans[previous.id], current, plan, (), (), key)
              if previous is not None else None)
    trend = _trend(closed, plans, key, interventions)
    principle = key.principle
    if principle is None or not figure.shown:
        return MeasureSection(key, figure, change, trend)
    total = pooled(current, figure.decision)
    items = tuple(_item(current, plan, spec.item_id) for spec in total.items
                  if spec.principle == principle)
    return MeasureSection(key, figure, change, trend, alpha=agg.alpha(total, principle),
                          driver=agg.driver(total, principle), items=items)


def _item(wave: WaveData, plan: DisclosurePlan, item_id: int) -> ItemSection:
    measure = Measure(item_id=item_id)
    figure = group_figures(wave, plan, (), measure)[0]
    if not figure.shown:
        return ItemSection(item_id, figure, None)
    counts = agg.histogram(pooled(wave, figure.decision), measure)[1]
    return ItemSection(item_id, figure, tuple(int(c) for c in counts))


def _group_rows(
    current: WaveData, previous: WaveData | None, plans: dict[int, DisclosurePlan],
    attribute: str, codes: Sequence[str],
) -> tuple[GroupRow, ...]:
    plan = plans[current.id]
    per_code = {code: group_figures(current, plan, (attribute,), Measure(principle=code))
                for code in codes}
    if previous is not None:
        _pool_previous(previous, plans[previous.id], attribute, codes)
    sizes = current.design.sizes
    rows = []
    for index, decision in enumerate(plan.groups((attribute,))):
        figures = {code: per_code[code][index] for code in codes}
        changes = {
            code: _change(previous, plans[previous.id], current, plan, (attribute,),
                          decision.label, Measure(principle=code))
            if previous is not None else None
            for code in codes
        }
        name, value = decision.label[-1] if decision.label else (attribute, "")
        rows.append(GroupRow(decision, figures, changes, sizes.get(name, {}).get(value)))
    remainder = _remainder_row(current, plan, attribute, codes)
    return (*rows, remainder) if remainder is not None else tuple(rows)


def _pool_previous(
    wave: WaveData, plan: DisclosurePlan, attribute: str, codes: Sequence[str]
) -> None:
    """Pool the earlier wave's shown groups of the breakdown at once (the changes read them)."""
    if attribute not in plan.attributes:
        return
    for code in codes:
        name = Measure(principle=code).name
        if name in plan.measures:
            pool_groups(wave, [d for d in plan.groups((attribute,), name) if d.shown])


def _remainder_row(
    wave: WaveData, plan: DisclosurePlan, attribute: str, codes: Sequence[str]
) -> GroupRow | None:
    """The その他 row: everyone in no shown group, where the gate allows it (no changes: its
    membership is whatever the other groups leave, so it is not the same group twice)."""
    coverage = plan.coverage((attribute,))
    if coverage is None or coverage.remainder is None:
        return None
    figures = {}
    for code in codes:
        measure = Measure(principle=code)
        part = plan.coverage((attribute,), measure.name)
        decision = part.remainder if part is not None else None
        figures[code] = (GroupFigure(decision, **estimate(pooled(wave, decision), measure))
                         if decision is not None else
                         GroupFigure(_hidden_remainder(coverage.remainder)))
    return GroupRow(coverage.remainder, figures, dict.fromkeys(codes))


def _hidden_remainder(shown: disclosure.GroupDecision) -> disclosure.GroupDecision:
    return disclosure.GroupDecision(shown.label, shown.cells, disclosure.Status.SUPPRESSED,
                                    disclosure.Reason.BELOW_K, "fewer than k answers")


def _judge_all(
    sections: dict[str, MeasureSection], enps_section: MeasureSection | None,
    rows: Sequence[GroupRow], thresholds: dict[str, float] | None,
) -> dict:
    """Benjamini–Hochberg within each family, then a verdict on each comparison.

    Families: the organisation's comparisons (principles and eNPS), and the shown breakdown's
    group comparisons.  The organisation's family is the same whatever breakdown is shown."""
    organisation = [s.change for s in sections.values()]
    if enps_section is not None:
        organisation.append(enps_section.change)
    groups = [change for row in rows for change in row.changes.values()]
    judged: dict[int, Change] = {}
    for family in (organisation, groups):
        shown = [c for c in family if c is not None and c.shown]
        verdicts = stats.judge_comparisons(
            [c.comparison for c in shown if c.comparison is not None], thresholds)
        judged.update({id(c): Change(c.gate, c.comparison, verdict)
                       for c, verdict in zip(shown, verdicts, strict=True)})
    return {
        "sections": {code: _rejudged(s, judged) for code, s in sections.items()},
        "enps": _rejudged(enps_section, judged) if enps_section else None,
        "rows": tuple(GroupRow(r.decision, r.figures,
                               {c: judged.get(id(ch), ch) for c, ch in r.changes.items()},
                               r.invited)
                      for r in rows),
    }


def _rejudged(section: MeasureSection, judged: dict[int, Change]) -> MeasureSection:
    change = judged.get(id(section.change), section.change)
    return MeasureSection(section.key, section.current, change, section.trend, section.alpha,
                          section.driver, section.items)


def _weights(wave: WaveData, plan: DisclosurePlan) -> stats.RelativeWeightsResult | None:
    total = plan.groups(())[0]
    if not total.shown:
        return None
    return agg.driver_weights(pooled(wave, total))
