"""What an export refusal says, for the HR page and the ``export`` command alike.

:class:`reports.exports.service.ExportError` carries a stable code and its params; this
module words it in the current language (the convention of :mod:`survey.messages`).  The page
flashes it in the page's language; the command prints it in English (``refused``).
"""

from __future__ import annotations

from flask_babel import gettext as _

from reports.exports.choices import ExportError
from survey.messages import worded


def export_message(error: ExportError) -> str:
    """The user-facing sentence for an export refusal."""
    p = error.params
    return worded({
        "unknown_wave": lambda: _("There is no wave with id %(wave)s.", wave=p.get("wave")),
        "wave_not_closed": lambda: _(
            "Wave %(wave)s is not closed yet; exports exist only for closed waves.",
            wave=p.get("wave")),
        "bad_kind": lambda: _("Unknown kind of export."),
        "bad_format": lambda: _("Unknown export format."),
        "bad_language": lambda: _("Unknown export language."),
        "cannot_write": lambda: _("cannot write %(path)s: %(reason)s", path=p.get("path"),
                                  reason=p.get("reason") or ""),
    }, error.code)
