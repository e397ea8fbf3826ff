"""The words for :class:`survey.auth.services.AccountError` codes, for pages and commands alike."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.auth.services import AccountError
from survey.messages import Wording, worded

_WORDING: Wording = {
    "invalid_email": lambda: _("This is not a valid e-mail address."),
    "invalid_role": lambda: _("The role must be admin, leadership, hr or unit-head."),
    "units_required": lambda: _("A unit head needs at least one unit."),
    "units_only_for_unit_heads": lambda: _("Only a unit head is assigned units."),
    "password_too_short": lambda: _("The password must have at least 10 characters."),
    "password_common": lambda: _(
        "The password is too easy to guess: it is a common password or a simple pattern. "
        "Use a longer passphrase of several unrelated words."),
    "password_like_email": lambda: _("The password must not contain the e-mail address."),
    "email_taken": lambda: _("An account with this e-mail address already exists."),
    "wrong_password": lambda: _("The current password is wrong."),
    "cannot_deactivate_self": lambda: _("You cannot deactivate your own account."),
}


def account_message(error: AccountError) -> str:
    """Why an account action was refused, in the current language."""
    return worded(_WORDING, error.code)
