"""The roster upload form (the file is checked by the parser, not by the form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional


class RosterUploadForm(FlaskForm):
    """A roster file and, optionally, the unit hierarchy from broad to fine."""

    file = FileField(
        _l("Roster file (.csv or .xlsx)"),
        validators=[FileRequired(message=_l("Choose a .csv or .xlsx file."))],
    )
    hierarchy = StringField(
        _l("Unit hierarchy, broad to fine (optional)"),
        validators=[Optional(), Length(max=500)],
        render_kw={"placeholder": "部,課,係"},
    )
