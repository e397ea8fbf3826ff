"""What a staff results page says, as data: the response rate, each principle's score with its
change where the change rule allows it, and a few plain findings.

Built only from sections the report already gated: the organisation's (rule 8 changes) or a
unit view's (:mod:`reports.quarterly.unit`: the unit's group of the same plan, strict changes).
No comments: free text would need its own k_comments check for each page, and staff pages are
read by everyone of the unit.  Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reports.disclosure import GroupDecision
from reports.quarterly.build import MeasureSection

#: How many findings a staff page leads with at most.
MAX_FINDINGS = 4


@dataclass(frozen=True)
class ScoreLine:
    """One principle: its score (None when hidden) and its change in points (None unless the
    change may be shown); ``clear`` when the change passed the significance test."""

    code: str
    score: float | None
    change: float | None = None
    clear: bool = False


@dataclass(frozen=True)
class Finding:
    """A plain sentence's facts: ``kind`` is "rose", "fell", "highest" or "lowest"."""

    kind: str
    code: str
    points: float


@dataclass(frozen=True)
class StaffSummary:
    """A results page's figures (all gated)."""

    rate: GroupDecision | None
    scores: tuple[ScoreLine, ...]
    findings: tuple[Finding, ...]


def summarise(sections: Mapping[str, MeasureSection], rate: GroupDecision | None
              ) -> StaffSummary:
    """The staff summary of gated sections (the organisation's or one unit view's)."""
    scores = tuple(_line(code, section) for code, section in sections.items())
    return StaffSummary(rate if rate is not None and rate.shown else None, scores,
                        _findings(scores))


def _line(code: str, section: MeasureSection) -> ScoreLine:
    figure = section.current
    if not figure.shown or figure.score is None or not figure.score.computable:
        return ScoreLine(code, None)
    change = section.change
    if change is None or not change.shown or change.comparison is None \
            or not change.comparison.difference.computable:
        return ScoreLine(code, figure.score.estimate)
    clear = change.verdict is not None and change.verdict.verdict == "change"
    return ScoreLine(code, figure.score.estimate, change.comparison.difference.estimate, clear)


def _findings(scores: tuple[ScoreLine, ...]) -> tuple[Finding, ...]:
    moved = sorted((s for s in scores if s.clear and s.change is not None),
                   key=lambda s: -abs(s.change or 0.0))
    found = [Finding("rose" if (s.change or 0.0) > 0 else "fell", s.code, s.change or 0.0)
             for s in moved]
    shown = sorted((s for s in scores if s.score is not None), key=lambda s: s.score or 0.0)
    if len(shown) >= 2:
        found += [Finding("highest", shown[-1].code, shown[-1].score or 0.0),
                  Finding("lowest", shown[0].code, shown[0].score or 0.0)]
    return tuple(found[:MAX_FINDINGS])
