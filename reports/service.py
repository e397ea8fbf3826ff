"""Build reports from the database: the one entry point views, the API and commands use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reports.context import (
    all_waves,
    fiscal_start_month,
    interventions,
    practical_thresholds,
    principle_meta,
)
from reports.loading import load_comments
from reports.quarterly import QuarterReport, build_quarter_report, current_and_previous
from reports.quarters import Quarter, parse_quarter
from survey.settings import group_hierarchy


def quarter_report(session: Session, label: str, breakdown: str | None = None) -> QuarterReport:
    """The quarterly report for ``FY2026Q1``-style labels; ValueError on a malformed label."""
    quarter = parse_quarter(label, fiscal_start_month())
    waves = all_waves(session)
    current, _previous = current_and_previous(waves, quarter)
    comments = load_comments(session, current.id) if current is not None else None
    return build_quarter_report(
        waves, quarter, principle_meta(session), group_hierarchy(session), breakdown,
        interventions(session), practical_thresholds(), comments,
    )


def quarters_with_waves(session: Session) -> list[Quarter]:
    """Quarters that have any wave, newest first."""
    return sorted({w.quarter for w in all_waves(session)}, reverse=True)
