"""The HR export form (validation only; it never queries the database)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField


class ExportForm(FlaskForm):
    """Kind and format of an export, and whether to add comments."""

    kind = SelectField(_l("Contents"), choices=[
        ("aggregate", _l("Figures per group (aggregate)")),
        ("responses", _l("One row per response (generalised)"))])
    fmt = SelectField(_l("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)")])
    comments = BooleanField(_l("Include comments (groups large enough only)"))
