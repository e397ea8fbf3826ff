"""A unit head's quarter: their unit — or the unit the wave reports it within — next to the
organisation, as data (docs/anonymity.md rule 10).

Every figure here is a group of the wave's one gate plan (:func:`reports.figures.plan_for`),
the same published set leadership's pages draw from: the unit's group at its level of the
hierarchy, never a gate run on the unit's rows and never a unit × attribute split.  Where the
wave's cells fold the unit into a parent (:func:`survey.units.reporting.reported_unit`), the
parent is shown and labelled; where the gate hides the group, its reason is shown, never a
number.  A unit's change between two waves always takes the strict branch
(:func:`reports.disclosure.comparable_within_unit`): its head knows who was away.

Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reports import aggregates as agg
from reports import disclosure, stats
from reports.aggregates import ActionMarker, Measure, WaveData
from reports.disclosure import DisclosurePlan, GroupDecision
from reports.figures import GroupFigure, estimate, plan_for, pooled
from reports.quarterly.build import Change, MeasureSection, QuarterReport, _trend
from survey.units.reporting import Placement, ReportedUnit, reported_unit
from survey.waves.cells import UnitPath
from survey.waves.design import CellDesign


@dataclass(frozen=True)
class UnitView:
    """One unit a head heads, as the quarter's wave reports it.

    ``shown_as`` is the unit whose figures the view holds (the unit itself, or the enclosing
    unit it is reported within), None when the wave had nobody of it or it is reported only
    within the whole organisation (whose figures the page shows anyway)."""

    unit: UnitPath
    placement: ReportedUnit
    rate: GroupDecision | None = None
    sections: dict[str, MeasureSection] = field(default_factory=dict)

    @property
    def shown_as(self) -> UnitPath | None:
        """The unit whose figures the view holds, if any."""
        return self.placement.reported_as or None


def unit_path(label: disclosure.Label, design: CellDesign) -> UnitPath:
    """The unit a group's label names, broad to fine (``()`` when it names none)."""
    values = dict(label)
    return tuple(values[level] for level in design.hierarchy if level in values)


def unit_decision(plan: DisclosurePlan, design: CellDesign, unit: UnitPath,
                  measure: str | None = None) -> GroupDecision | None:
    """The plan's decision on the group of exactly ``unit`` (its level's breakdown), for a
    measure or (``measure=None``) its response rate; None when the plan has no such group."""
    if not unit:
        decisions = plan.groups((), measure) if measure else plan.response_rates(())
        return decisions[0]
    if len(unit) > len(design.hierarchy) or design.hierarchy[len(unit) - 1] not in plan.attributes:
        return None
    if measure is not None and measure not in plan.measures:
        return None
    breakdown = (design.hierarchy[len(unit) - 1],)
    decisions = plan.groups(breakdown, measure) if measure else plan.response_rates(breakdown)
    return next((d for d in decisions if unit_path(d.label, design) == unit), None)


def unit_figure(wave: WaveData, plan: DisclosurePlan, unit: UnitPath, key: Measure
                ) -> GroupFigure | None:
    """The figure of ``unit``'s group in ``wave`` (estimates only when the gate shows it)."""
    decision = unit_decision(plan, wave.design, unit, key.name)
    if decision is None:
        return None
    if not decision.shown:
        return GroupFigure(decision)
    return GroupFigure(decision, **estimate(pooled(wave, decision), key))


def unit_change(previous: WaveData, current: WaveData, unit: UnitPath, key: Measure) -> Change:
    """The unit's change from ``previous`` to ``current`` under the strict rule."""
    before = unit_decision(plan_for(previous), previous.design, unit, key.name)
    after = unit_decision(plan_for(current), current.design, unit, key.name)
    if before is None or after is None:
        return Change(disclosure.ChangeGate(disclosure.Status.SUPPRESSED,
                                            disclosure.Reason.NOT_IN_BOTH,
                                            "the unit or measure is not in both waves"))
    gate = disclosure.comparable_within_unit(before, after, max(previous.k, current.k))
    if not gate.shown:
        return Change(gate)
    return Change(gate, agg.compare(pooled(previous, before), pooled(current, after), key))


def build_unit_views(report: QuarterReport, units: Sequence[UnitPath],
                     markers: Sequence[ActionMarker], thresholds: dict[str, float] | None = None
                     ) -> tuple[UnitView, ...]:
    """The views of ``units`` for the quarter of ``report`` (the organisation's report).

    ``markers`` are the action plans that may mark a unit's charts: each view takes those of
    its unit (exactly) and the organisation's own.  Each unit's principle changes are one
    Benjamini–Hochberg family of their own."""
    current = report.wave
    if current is None:
        return ()
    closed = [w for w, _d in report.participation if w.closed]
    plans = {w.id: plan_for(w) for w in closed}
    views = []
    for unit in dict.fromkeys(units):
        placement = reported_unit(current.design, unit)
        target = placement.reported_as
        if placement.placement is Placement.ABSENT or not target:
            views.append(UnitView(unit, placement))
            continue
        own = [m for m in markers if m.unit in ((), unit, target)]
        sections = {code: _unit_section(current, report.previous, closed, plans, target,
                                        Measure(principle=code), own)
                    for code in report.sections}
        views.append(UnitView(unit, placement, unit_decision(plans[current.id], current.design,
                                                             target),
                              _judged(sections, thresholds)))
    return tuple(views)


def _unit_section(wave: WaveData, previous: WaveData | None, closed: Sequence[WaveData],
                  plans: dict[int, DisclosurePlan], unit: UnitPath, key: Measure,
                  markers: Sequence[ActionMarker]) -> MeasureSection:
    current = unit_figure(wave, plans[wave.id], unit, key)
    if current is None:  # the unit has no group for this measure: say so as a hidden figure
        current = GroupFigure(GroupDecision((), (), disclosure.Status.SUPPRESSED,
                                            disclosure.Reason.NOT_IN_BOTH, "not in the wave"))
    change = unit_change(previous, wave, unit, key) if previous is not None else None
    trend = _trend(closed, plans, key, markers,
                   group_figure=lambda wave, plan, measure: unit_figure(wave, plan, unit, measure))
    return MeasureSection(key, current, change, trend)


def _judged(sections: dict[str, MeasureSection], thresholds: dict[str, float] | None
            ) -> dict[str, MeasureSection]:
    shown = {code: s.change for code, s in sections.items()
             if s.change is not None and s.change.shown and s.change.comparison is not None}
    verdicts = stats.judge_comparisons(
        [c.comparison for c in shown.values() if c.comparison is not None], thresholds)
    judged = {code: Change(c.gate, c.comparison, verdict)
              for (code, c), verdict in zip(shown.items(), verdicts, strict=True)}
    return {code: MeasureSection(s.key, s.current, judged.get(code, s.change), s.trend)
            for code, s in sections.items()}
