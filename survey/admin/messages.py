"""Localized messages for wave and account service errors (one place for views and commands).

Commands print them in English by calling them inside ``flask_babel.force_locale("en")``.
"""

from __future__ import annotations

from flask_babel import gettext as _


def wave_message(code: str) -> str:
    """The user-facing sentence for a :class:`survey.waves.services.WaveError` code."""
    messages = {
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
        "reminders_pending": lambda: _(
            "The previous reminders are still being sent; wait until they are done."),
    }
    return messages.get(code, lambda: _("The action could not be done."))()


def unit_message(code: str, name: str, paths: str = "") -> str:
    """The user-facing sentence for a :class:`survey.units.services.UnitError`."""
    if code == "ambiguous_unit":
        return _("'%(name)s' names several units (%(paths)s): write it with its parent, "
                 "e.g. 総務課/庶務係.", name=name, paths=paths)
    return _("'%(name)s' is not a unit of the active roster.", name=name)


def account_message(code: str) -> str:
    """The user-facing sentence for a :class:`survey.auth.services.AccountError` code."""
    messages = {
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
    return messages.get(code, lambda: _("The action could not be done."))()
