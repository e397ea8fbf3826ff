"""The aggregate export: every gated figure of a wave, one row per measure × group.

Figures come only from :mod:`reports.figures` (the gate).  A hidden group is a row that says
``suppressed`` with the gate's reason code in every figure column — never blank, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reports import figures
from reports.exports._sheets import Sheet, Value
from reports.figures import GroupFigure, MeasureKey
from reports.loading import WaveData
from reports.stats import Estimate

HEADER = ("measure", "title", "breakdown", "group", "status", "reason_code", "n", "mean",
          "favourable_pct", "score", "enps", "note")
SUPPRESSED = "suppressed"


def breakdowns(wave: WaveData) -> list[tuple[str, ...]]:
    """The whole organisation, then each single attribute."""
    return [(), *((name,) for name in figures.attributes_of(wave))]


def aggregate_sheet(wave: WaveData, hierarchy: Sequence[str],
                    titles: Mapping[MeasureKey, str]) -> Sheet:
    """Rows for every measure (principles, then items) and every group of every breakdown."""
    rows: list[tuple[Value, ...]] = []
    if wave.aggregates:
        plan = figures.plan_for(wave, hierarchy)
        keys = figures.measure_keys(next(iter(wave.aggregates.values())))
        for key in keys:
            for breakdown in breakdowns(wave):
                for figure in figures.group_figures(wave, plan, breakdown, key):
                    rows.append(_row(key, titles.get(key, ""), breakdown, figure))
    notes = (f"naranu aggregate export; wave {wave.label}; k={wave.k}",
             "groups with fewer than k answers, or whose figures could be worked out by "
             "subtraction, are marked suppressed with a reason code")
    return Sheet("aggregate", HEADER, rows, notes)


def group_text(label: Sequence[tuple[str, str]]) -> str:
    """``department=税務課``; the whole organisation is ``all``."""
    return " / ".join(f"{name}={value}" for name, value in label) or "all"


def _row(key: MeasureKey, title: str, breakdown: tuple[str, ...],
         figure: GroupFigure) -> tuple[Value, ...]:
    decision = figure.decision
    head = (figures.measure_name(key), title, " × ".join(breakdown) or "all",
            group_text(decision.label), str(decision.status), str(decision.reason_code))
    if not figure.shown:
        return (*head, *([SUPPRESSED] * 5), decision.reason)
    note = "; ".join(f"includes {group_text(label)}" for label in decision.includes)
    return (*head, figure.n, _value(figure.mean), _value(figure.favourable),
            _value(figure.score), _value(figure.enps), note)


def _value(estimate: Estimate | None) -> Value:
    if estimate is None:
        return ""
    if not estimate.computable or estimate.estimate is None:
        return estimate.reason_code or "not_computable"
    return round(float(estimate.estimate), 1)
