"""What report views and commands share: settings and principle titles from the database."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from reports.loading import WaveData, load_interventions, load_waves
from reports.quarterly import Intervention, PrincipleMeta
from survey.db import DbSession
from survey.models import Principle


def fiscal_start_month() -> int:
    """The month the fiscal year starts (4 = April, Japanese public bodies)."""
    return int(current_app.config["FISCAL_YEAR_START_MONTH"])


def principle_meta(session: DbSession) -> list[PrincipleMeta]:
    """Principles in display order."""
    rows = session.scalars(select(Principle).order_by(Principle.position, Principle.id))
    return [PrincipleMeta(p.code, p.title_ja, p.title_en) for p in rows]


def interventions(session: DbSession) -> list[Intervention]:
    """Logged leadership actions."""
    return [Intervention(on, text, codes) for on, text, codes in load_interventions(session)]


def practical_thresholds() -> dict[str, float]:
    """Practical sizes below which a significant change is 'no meaningful change'."""
    config = current_app.config
    return {"score": float(config["PRACTICAL_SCORE_POINTS"]),
            "favourability": float(config["PRACTICAL_FAVOURABLE_POINTS"]),
            "enps": float(config["PRACTICAL_ENPS_POINTS"])}


def all_waves(session: DbSession) -> list[WaveData]:
    """Every wave with cells and aggregates."""
    return load_waves(session, fiscal_start_month())

