"""What an export refusal says, for the HR page and the ``export`` command alike.

:class:`reports.exports.service.ExportError` carries a stable code and the wave it was about;
this module turns it into a sentence in the current language.  The page shows it in the
page's language; the command prints it in English (``force_locale("en")``), like the app's
other commands.
"""

from __future__ import annotations

from flask_babel import gettext as _

from reports.exports.service import ExportError


def export_message(error: ExportError) -> str:
    """The user-facing sentence for an export refusal."""
    messages = {
        "unknown_wave": lambda: _("There is no wave with id %(wave)s.", wave=error.wave),
        "wave_not_closed": lambda: _(
            "Wave %(wave)s is not closed yet; exports exist only for closed waves.",
            wave=error.wave),
        "bad_kind": lambda: _("Unknown kind of export."),
        "bad_format": lambda: _("Unknown export format."),
        "bad_language": lambda: _("Unknown export language."),
    }
    return messages.get(error.code, lambda: _("Choose what to export and the format."))()


def write_failed(path: str, reason: str | None) -> str:
    """The file could not be written (the command's ``--out``)."""
    return _("cannot write %(path)s: %(reason)s", path=path, reason=reason or "")
