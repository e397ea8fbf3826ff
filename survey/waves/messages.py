"""The words for :class:`survey.waves.services.WaveError` codes, for pages and commands alike."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.messages import Wording, worded
from survey.waves.services import WaveError

_WORDING: Wording = {
    "invalid_label": lambda: _("The label must have 1 to 80 characters."),
    "closes_before_opens": lambda: _("The closing date is before the opening date."),
    "closes_in_past": lambda: _("The closing date is in the past."),
    "label_taken": lambda: _("A wave with this label already exists."),
    "survey_empty": lambda: _("The survey has no questions."),
    "roster_too_small": lambda: _(
        "The active roster has fewer people than the minimum group size."),
    "wave_not_open": lambda: _("The wave is closed or past its closing date."),
    "wave_already_closed": lambda: _("The wave is already closed."),
    "wave_not_started": lambda: _("The wave has not opened yet."),
    "unknown_attribute": lambda: _(
        "A chosen attribute is not a column of the active roster (other than the units)."),
}


def wave_message(error: WaveError) -> str:
    """Why a wave action was refused, in the current language."""
    return worded(_WORDING, error.code)
