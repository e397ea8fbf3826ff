"""The words for :class:`survey.twofactor.services.TwoFactorError` codes."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.messages import Wording, worded
from survey.twofactor.services import TwoFactorError

_WORDING: Wording = {
    "wrong_code": lambda: _("The code is wrong or was already used. Enter the code your app "
                            "shows now."),
    "wrong_password": lambda: _("The password is wrong."),
    "already_enrolled": lambda: _("Two-factor sign-in is already on for this account."),
    "not_enrolling": lambda: _("Start the set-up again: no set-up is waiting for a code."),
    "not_enrolled": lambda: _("Two-factor sign-in is not on for this account."),
    "required": lambda: _("Your organisation requires two-factor sign-in for your role, so it "
                          "cannot be switched off. An administrator can reset it for a lost "
                          "phone."),
    "invalid_role": lambda: _("The role must be admin, leadership, hr or unit-head."),
}


def twofactor_message(error: TwoFactorError) -> str:
    """Why a second-factor action was refused, in the current language."""
    return worded(_WORDING, error.code)
