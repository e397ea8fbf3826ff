"""The words for :class:`survey.units.services.UnitError`, for pages and commands alike."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.units.paths import path_text
from survey.units.services import UnitError


def unit_message(error: UnitError) -> str:
    """Why a typed unit name was refused, in the current language; an ambiguous name lists
    the units it could mean, written as they can be typed back."""
    if error.code == "ambiguous_unit":
        return _("'%(name)s' names several units (%(paths)s): write it with its parent, "
                 "e.g. 総務課/庶務係.", name=error.name,
                 paths="、".join(path_text(path) for path in error.paths))
    return _("'%(name)s' is not a unit of the active roster.", name=error.name)
