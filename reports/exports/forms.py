"""The HR export form (validation only; it never queries the database)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice


class ExportForm(FlaskForm):
    """Which closed wave, kind and format of an export, and whether to add comments.

    One form serves every wave: the view fills ``wave.choices`` with the closed waves, so a
    wave that is not closed (or does not exist) fails validation like any other bad choice.
    """

    wave = SelectField(_l("Wave"), coerce=int, choices=[])
    kind = SelectField(_l("Contents"), choices=[
        SelectChoice("aggregate", _l("Figures per group (aggregate)")),
        SelectChoice("responses", _l("One row per response (generalised)"))])
    fmt = SelectField(_l("Format"), choices=[
        SelectChoice("xlsx", _l("Excel (.xlsx), with a notes sheet")),
        SelectChoice("csv", _l("CSV (UTF-8) with its datapackage.json description, zipped"))])
    comments = BooleanField(_l("Include comments (groups large enough only)"))
