"""What a refused report request says, for pages and the ``report`` command alike.

:class:`ReportError` carries a stable code and what it was about; :func:`report_message` turns
it into a sentence in the current language.  The command prints it in English
(``force_locale("en")``), like the app's other commands.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _


class ReportError(ValueError):
    """Why a report was refused: ``bad_quarter`` (a malformed label), ``unknown_breakdown``
    (an attribute the quarter's rounds do not carry) or ``cannot_write`` (the output file)."""

    def __init__(self, code: str, *, quarter: str = "", breakdown: str = "",
                 known: Sequence[str] = (), path: str = "", reason: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.quarter = quarter
        self.breakdown = breakdown
        self.known = tuple(known)
        self.path = path
        self.reason = reason


def report_message(error: ReportError) -> str:
    """The user-facing sentence for a refused report."""
    messages = {
        "bad_quarter": lambda: _("The quarter must look like FY2026Q1, got %(quarter)s.",
                                 quarter=repr(error.quarter)),
        "unknown_breakdown": lambda: _(
            "%(quarter)s cannot be broken down by %(breakdown)s (attributes: %(known)s)",
            quarter=error.quarter, breakdown=repr(error.breakdown),
            known=", ".join(error.known) or _("none")),
        "cannot_write": lambda: _("cannot write %(path)s: %(reason)s", path=error.path,
                                  reason=error.reason or ""),
    }
    return messages.get(error.code, lambda: _("The report could not be made."))()
