"""Two-factor forms: the sign-in code, the set-up confirmation, switching off."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

#: The browser may offer a code it received; a recovery code has letters, so no numeric pad.
_CODE_ATTRS = {"autocomplete": "one-time-code", "autocapitalize": "characters",
               "spellcheck": "false"}


class SignInCodeForm(FlaskForm):
    """The code the app shows now, or one recovery code."""

    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=40)], render_kw=_CODE_ATTRS)


class ConfirmForm(FlaskForm):
    """The first code from the app, proving it holds the secret."""

    code = StringField(_l("Code shown by the app"), validators=[DataRequired(), Length(max=40)],
                       render_kw={**_CODE_ATTRS, "inputmode": "numeric"})


class StartForm(FlaskForm):
    """No fields: a CSRF-protected button."""


class DisableForm(FlaskForm):
    """The password and a current code (or a recovery code)."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=40)], render_kw=_CODE_ATTRS)


class RequiredRolesForm(FlaskForm):
    """The roles that must use two-factor sign-in (choices set by the view from Role)."""

    roles = SelectMultipleField(_l("Require two-factor sign-in for"),
                                widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput(), validate_choice=True)
