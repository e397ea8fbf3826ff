"""The aggregate export: every gated figure of a wave, one row per measure × group.

Figures come only from :mod:`reports.figures` (the gate).  A hidden group is a row that says
``suppressed`` with the gate's reason code in every figure column — never blank, never 0 —
and why in the ``note`` column, in the export's language (written from the reason code, so
the gate's English text never reaches a Japanese file).
"""

from __future__ import annotations

from collections.abc import Mapping

from reports import figures
from reports.aggregates import Measure, WaveData
from reports.disclosure import GroupDecision
from reports.exports import _text
from reports.exports._sheets import Sheet, Value
from reports.exports._text import group_text
from reports.figures import GroupFigure
from reports.stats import Estimate

HEADER = ("measure", "title", "breakdown", "group", "status", "reason_code", "n", "mean",
          "favourable_pct", "score", "enps", "note")
SUPPRESSED = "suppressed"


def breakdowns(wave: WaveData) -> list[tuple[str, ...]]:
    """The whole organisation, then each single attribute."""
    return [(), *((name,) for name in figures.attributes_of(wave))]


def aggregate_sheet(wave: WaveData, titles: Mapping[Measure, str]) -> Sheet:
    """Rows for every measure (principles, then items) and every group of every breakdown.

    ``titles`` are already in the export's language; notes are written in the current locale.
    """
    rows: list[tuple[Value, ...]] = []
    if wave.aggregates:
        plan = figures.plan_for(wave)
        keys = figures.measures(next(iter(wave.aggregates.values())))
        for key in keys:
            for breakdown in breakdowns(wave):
                for figure in figures.group_figures(wave, plan, breakdown, key):
                    rows.append(_row(key, titles.get(key, ""), breakdown, figure, wave.k))
                rest = figures.remainder_figure(wave, plan, breakdown, key)
                if rest is not None:
                    rows.append(_row(key, titles.get(key, ""), breakdown, rest, wave.k))
    notes = _text.aggregate_notes(wave.label, wave.k, coverage_notes(wave))
    return Sheet("aggregate", HEADER, rows, notes, _text.column_labels(HEADER))


def coverage_notes(wave: WaveData) -> list[str]:
    """One line per partial breakdown: how many respondents its shown groups place."""
    if not wave.aggregates:
        return []
    plan = figures.plan_for(wave)
    lines = []
    for breakdown in breakdowns(wave)[1:]:
        coverage = plan.coverage(breakdown)
        if coverage is not None and coverage.partial:
            lines.append(_text.coverage_note(" × ".join(breakdown), coverage.covered,
                                             coverage.total))
    return lines


def _row(key: Measure, title: str, breakdown: tuple[str, ...], figure: GroupFigure,
         k: int) -> tuple[Value, ...]:
    decision = figure.decision
    head = (key.name, title, " × ".join(breakdown) or "all",
            group_text(decision.label), str(decision.status), str(decision.reason_code))
    if not figure.shown:
        return (*head, *([SUPPRESSED] * 5), note(decision, k))
    return (*head, figure.n, _value(figure.mean), _value(figure.favourable),
            _value(figure.score), _value(figure.enps), note(decision, k))


def note(decision: GroupDecision, k: int) -> str:
    """The ``note`` cell in the current locale: why a group is hidden, or what it includes.

    Written from the gate's codes and labels, not its English ``reason`` text, so that a
    Japanese file says it in Japanese; a shown group without roll-ups has no note.
    """
    if decision.shown:
        return _text.includes_note(decision.includes)
    return _text.hidden_reason(decision.reason_code, k, decision.rolled_into)


def _value(estimate: Estimate | None) -> Value:
    if estimate is None:
        return ""
    if not estimate.computable or estimate.estimate is None:
        return estimate.reason_code or "not_computable"
    return round(float(estimate.estimate), 1)
