"""The staff results pages from the database: only waves whose results are published."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports.figures import plan_for
from reports.quarterly.services import quarter_report
from reports.quarterly.unit import build_unit_views, unit_path
from reports.quarters import quarter_of
from reports.results.build import StaffSummary, summarise
from reports.storage.load import fiscal_start_month, practical_thresholds
from survey.db import DbSession
from survey.plans.models import ActionPlan
from survey.plans.services import plans_of
from survey.units.reporting import Placement, ReportedUnit, reported_unit
from survey.waves.cells import UnitPath
from survey.waves.services import published_waves


@dataclass(frozen=True)
class StaffPage:
    """One results page: ``shown_as`` is whose figures it holds (``()`` the organisation's,
    the enclosing unit's for a folded unit, None when the unit is not reported)."""

    quarter: str
    wave_label: str
    closes_on: dt.date
    unit: UnitPath
    placement: ReportedUnit | None
    shown_as: UnitPath | None
    summary: StaffSummary | None
    plans: list[ActionPlan]


def latest_published_quarter(session: DbSession) -> str | None:
    """The quarter of the most recently published wave, if any."""
    waves = published_waves(session)
    return quarter_of(waves[0].closes_on, fiscal_start_month()).label if waves else None


def staff_page(session: DbSession, quarter: str, unit: UnitPath = ()) -> StaffPage | None:
    """The page of ``unit`` (``()``: the organisation) for ``quarter``; None when the quarter
    has no wave whose results are published (ReportError on a malformed label)."""
    report = quarter_report(session, quarter)
    published = {wave.id for wave in published_waves(session)}
    if report.wave is None or report.wave.id not in published:
        return None
    placement: ReportedUnit | None = None
    shown_as: UnitPath | None = ()
    summary: StaffSummary | None = None
    if not unit:
        rate = next(d for w, d in report.participation if w.id == report.wave.id)
        summary = summarise(report.sections, rate)
    else:
        view = build_unit_views(report, [unit], (), practical_thresholds())[0]
        placement, shown_as = view.placement, view.shown_as
        if placement.placement is Placement.ABSENT:
            shown_as = None
        elif shown_as is not None:
            summary = summarise(view.sections, view.rate)
    units = [(), *dict.fromkeys(u for u in (unit, shown_as) if u)]
    return StaffPage(report.quarter.label, report.wave.label, report.wave.closes_on, unit,
                     placement, shown_as, summary, plans_of(session, units))


def results_units(session: DbSession, quarter: str) -> list[UnitPath]:
    """The units with a results page of their own for ``quarter``: stored as themselves in the
    quarter's wave, with a response rate the gate shows (broad to fine)."""
    report = quarter_report(session, quarter)
    if report.wave is None:
        return []
    design, plan = report.wave.design, plan_for(report.wave)
    units = []
    for depth, level in enumerate(design.hierarchy, start=1):
        if level not in plan.attributes:
            continue
        for decision in plan.response_rates((level,)):
            path = unit_path(decision.label, design)
            if decision.shown and len(path) == depth \
                    and reported_unit(design, path).placement is Placement.OWN:
                units.append(path)
    return units
