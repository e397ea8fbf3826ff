"""What a refused report request says, for pages and the ``report`` command alike.

:class:`reports.quarterly.services.ReportError` carries a stable code and its params; this
module words it in the current language (the convention of :mod:`survey.messages`).  The
command prints it in English (``refused``).
"""

from __future__ import annotations

from flask_babel import gettext as _

from reports.quarterly.services import ReportError
from survey.messages import worded


def report_message(error: ReportError) -> str:
    """The user-facing sentence for a refused report."""
    p = error.params
    return worded({
        "bad_quarter": lambda: _("The quarter must look like FY2026Q1, got %(quarter)s.",
                                 quarter=repr(p.get("quarter"))),
        "unknown_breakdown": lambda: _(
            "%(quarter)s cannot be broken down by %(breakdown)s (attributes: %(known)s)",
            quarter=p.get("quarter"), breakdown=repr(p.get("breakdown")),
            known=", ".join(p.get("known", ())) or _("none")),
        "cannot_write": lambda: _("cannot write %(path)s: %(reason)s", path=p.get("path"),
                                  reason=p.get("reason") or ""),
    }, error.code)
