"""The words for :class:`survey.plans.services.PlanError` codes, for pages and commands alike."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.messages import Wording, worded
from survey.plans.services import PlanError

_WORDING: Wording = {
    "not_yours": lambda: _("You can only keep plans of the units you head."),
    "unknown_unit": lambda: _("This unit is not in the active roster."),
    "due_before_start": lambda: _("The 'done by' date is before the start."),
    "incomplete": lambda: _("Say what will be done and by which role."),
    "unknown_principle": lambda: _("Choose at least one principle from the list."),
}


def plan_message(error: PlanError) -> str:
    """Why a plan could not be saved, in the current language."""
    return worded(_WORDING, error.code)
