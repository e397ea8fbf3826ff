"""The quarterly report from the database: load, then build (the one entry point the pages,
the API and the command use); the organisation's action plans mark its trend charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reports.aggregates import Measure
from reports.figures import attributes_of, group_figures, plan_for
from reports.quarterly.build import QuarterReport, build_quarter_report, current_and_previous
from reports.quarterly.unit import UnitView, build_unit_views
from reports.quarters import Quarter, parse_quarter
from reports.storage.load import (
    action_markers,
    all_waves,
    fiscal_start_month,
    load_comments,
    load_wave,
    practical_thresholds,
    principle_meta,
)
from survey.db import DbSession
from survey.models import Wave
from survey.service_error import ServiceError
from survey.waves.cells import UnitPath


class ReportError(ServiceError):
    """Why a report was refused: ``bad_quarter`` (param ``quarter``), ``unknown_breakdown``
    (``quarter``, ``breakdown``, ``known``) or ``cannot_write`` (``path``, ``reason``);
    :func:`reports.quarterly.messages.report_message` words it."""


def quarter_report(session: DbSession, label: str, breakdown: str | None = None) -> QuarterReport:
    """The quarterly report for ``FY2026Q1``-style labels; ReportError on a malformed label."""
    try:
        quarter = parse_quarter(label, fiscal_start_month())
    except ValueError:
        raise ReportError("bad_quarter", quarter=label) from None
    waves = all_waves(session)
    current, _previous = current_and_previous(waves, quarter)
    comments = load_comments(session, current.id) if current is not None else None
    return build_quarter_report(
        waves, quarter, principle_meta(session), breakdown,
        action_markers(session, [()]), practical_thresholds(), comments,
    )


def unit_quarter_report(
    session: DbSession, label: str, units: Sequence[UnitPath]
) -> tuple[QuarterReport, tuple[UnitView, ...]]:
    """What a unit head reads: the organisation's report without any breakdown, comments or
    other unit's figure, and the views of ``units`` (ReportError on a malformed label)."""
    report = quarter_report(session, label)
    scoped = replace(report, breakdown=None, attributes=(), groups=(), coverage=None,
                     group_participation=(), comments=())
    return scoped, build_unit_views(scoped, units, action_markers(session),
                                    practical_thresholds())


def quarters_with_waves(session: DbSession) -> list[Quarter]:
    """Quarters that have any wave, newest first."""
    return sorted({w.quarter for w in all_waves(session)}, reverse=True)


def wave_report(session: DbSession, wave_id: int) -> dict[str, Any] | None:
    """A round's gated response rates (always) and total figures (only once it is closed)."""
    wave_row = session.get(Wave, wave_id)
    if wave_row is None:
        return None
    wave = load_wave(session, wave_row, fiscal_start_month())
    plan = plan_for(wave)
    figures = {}
    if wave.closed and wave.aggregates:
        codes = next(iter(wave.aggregates.values())).principles
        figures = {code: group_figures(wave, plan, (), Measure(principle=code))[0]
                   for code in codes}
    return {"wave": wave, "total": plan.response_rates(())[0],
            "rates": {a: plan.response_rates((a,)) for a in attributes_of(wave)},
            "figures": figures, "principles": principle_meta(session)}
