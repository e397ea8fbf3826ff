"""The words for :class:`survey.org_settings.SettingsError` codes (the settings page)."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.messages import Wording, worded
from survey.org_settings import MIN_K_FLOOR, SettingsError

_WORDING: Wording = {
    "k_below_floor": lambda: _("The minimum group size k must be at least %(floor)s.",
                               floor=MIN_K_FLOOR),
    "k_comments_below_k": lambda: _("Comments need a group at least as large as k."),
}


def settings_message(error: SettingsError) -> str:
    """Why a settings change was refused, in the current language."""
    return worded(_WORDING, error.code)
