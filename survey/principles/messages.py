"""The words for :class:`survey.principles.services.PrincipleError` codes."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.messages import Wording, worded
from survey.principles.services import PrincipleError

_WORDING: Wording = {
    "code_taken": lambda: _("A principle with this code already exists."),
    "item_superseded": lambda: _("This item has a newer version; edit that one."),
    "invalid_kind": lambda: _("Unknown kind of question."),
    "likert_needs_principle": lambda: _("A 5-point question belongs to a principle."),
    "no_default_survey": lambda: _(
        "There is no default survey yet: run “flask --app app init-db” first."),
}


def principle_message(error: PrincipleError) -> str:
    """Why an edit of the principles or questions was refused, in the current language."""
    return worded(_WORDING, error.code)
