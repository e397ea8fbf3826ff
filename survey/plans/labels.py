"""Plan words in the reader's language: statuses, units and service errors."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from survey.plans.models import PlanStatus
from survey.units.paths import unit_label


def plan_status_label(status: str) -> str:
    """A plan status in words."""
    words: dict[str, str] = {
        PlanStatus.PLANNED: _("Planned"), PlanStatus.IN_PROGRESS: _("In progress"),
        PlanStatus.DONE: _("Done"), PlanStatus.DROPPED: _("Dropped"),
    }
    return words.get(str(status), str(status))


def plan_unit_label(path: Sequence[str]) -> str:
    """'総務部 > 総務課', or 'Whole organisation' for ()."""
    return unit_label(path) if path else _("Whole organisation")
