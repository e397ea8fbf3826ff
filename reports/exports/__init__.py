"""HR exports of closed waves: gated aggregates and a generalised response-level table.

``make_export`` (:mod:`~reports.exports.service`) is the entry point for the ``export``
command (:mod:`~reports.exports.cli`) and the HR pages (:mod:`~reports.exports.views`); every
export is logged publicly as ``export_made`` (docs/anonymity.md §5, HR).

Layout.  Every table is plain: one header row of stable English column keys, then the rows,
so Excel's import, R, pandas and ``csv.DictReader`` read it as it is.  What people read travels
beside the table, in the export's language: the XLSX has a ``notes`` worksheet, the CSV comes
zipped with a Frictionless ``datapackage.json`` (:mod:`reports.exports._sheets`)::

    naranu-wave3-aggregate.zip
        aggregate.csv        measure,title,breakdown,…,note        (header: keys, never translated)
                             principle:citizen,町民本位でなければなりませぬ,…
        datapackage.json     per table: notes ("description"); per column: key ("name"),
                             label ("title", e.g. 指標), type

Language.  An export is written in the language of whoever asks for it: the HR page's locale
(Japanese unless the page was switched with ``?lang=en``), or ``--lang ja|en`` on the command
line (Japanese by default).  HR at a Japanese town hall wants Japanese notes and column labels,
but the people who automate the same export (a yearly workbook, an R or pandas script) select
columns by name and must not break when someone switches the page to English, so the header
keeps its keys in every language.  The same reasoning keeps the other machine parts
unchanged: sheet and file names (``aggregate``, ``responses``, ``comments``, ``notes``), codes
in cells (``status``, ``reason_code``, ``suppressed``, ``all``, ``attribute=value``), numbers
and dates.  Translated: the notes; the column labels (a response column is labelled with its
question's wording, an attribute with its display label from :mod:`survey.roster.labels`);
principle titles and item wording; the ``note`` column (roll-ups, and why a group is hidden);
the text that stands in for withheld comments.  Every cell, translated or not, goes through
the formula neutraliser (:func:`neutralise`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from reports.exports.choices import (
    ExportError,
    ExportFile,
    ExportFormat,
    ExportKind,
    ExportLanguage,
)

if TYPE_CHECKING:
    from reports.exports._responses import GeneralisedRows, Respondent, generalise_rows
    from reports.exports._sheets import Sheet, neutralise, to_csv, to_package, to_xlsx
    from reports.exports.service import closed_waves, make_export

#: Names re-exported from modules that import numpy, SciPy or openpyxl: loaded on first use,
#: so that registering the HR pages and the ``export`` command costs no start-up time.
_LAZY = {
    "GeneralisedRows": "_responses", "Respondent": "_responses", "generalise_rows": "_responses",
    "Sheet": "_sheets", "neutralise": "_sheets", "to_csv": "_sheets", "to_package": "_sheets",
    "to_xlsx": "_sheets", "closed_waves": "service", "make_export": "service",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"reports.exports.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ExportError",
    "ExportFile",
    "ExportFormat",
    "ExportKind",
    "ExportLanguage",
    "GeneralisedRows",
    "Respondent",
    "Sheet",
    "closed_waves",
    "generalise_rows",
    "make_export",
    "neutralise",
    "to_csv",
    "to_package",
    "to_xlsx",
]
