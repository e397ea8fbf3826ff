"""Login, invitation and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class InviteForm(FlaskForm):
    """A new account: e-mail and role (choices set by the view from the Role enum)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"))
    units = TextAreaField(_l("Units (a unit head only)"),
                          validators=[Optional(), Length(max=4000)])


class UnitsForm(FlaskForm):
    """The units a unit head heads, one per line, as named in the roster."""

    units = TextAreaField(_l("Units"), validators=[
        DataRequired(message=_l("A unit head needs at least one unit.")), Length(max=4000)])


class SetPasswordForm(FlaskForm):
    """A new password, twice."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    again = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangePasswordForm(FlaskForm):
    """One's own password: the current one, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(),
                                                                 Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    again = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
