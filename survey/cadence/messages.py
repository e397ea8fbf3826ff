"""The words for :class:`survey.cadence.plan.ScheduleError` codes."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.cadence.plan import ScheduleError
from survey.messages import Wording, worded

_WORDING: Wording = {
    "invalid_period": lambda: _("Choose how often a round starts from the list."),
    "invalid_month": lambda: _("The starting month must be between 1 and 12."),
    "invalid_open_on": lambda: _("The opening working day must be between 1 and 15."),
    "invalid_open_days": lambda: _("A round is open for 2 to 40 working days."),
    "invalid_reminder": lambda: _(
        "Reminder days must lie between day 2 and the last day of the round."),
}


def schedule_message(error: ScheduleError) -> str:
    """Why a schedule was refused, in the current language."""
    return worded(_WORDING, error.code)
