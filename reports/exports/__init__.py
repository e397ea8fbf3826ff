"""HR exports of closed waves: gated aggregates and a generalised response-level table.

``make_export`` is the entry point for the ``export`` command and the HR pages; every export
is logged publicly as ``export_made`` (docs/anonymity.md §5, HR).

Language.  An export is written in the language of whoever asks for it: the HR page's locale
(Japanese unless the page was switched with ``?lang=en``), or ``--lang ja|en`` on the command
line (Japanese by default).  Each table reads, top to bottom::

    # naranu 集計データ；実施回 2026-11；k=5          notes, in the export's language
    # 指標,行動指針・設問,集計の切り口,…,備考           column labels, in the export's language
    measure,title,breakdown,…,note                     column keys: English, never translated
    principle:citizen,町民本位でなければなりませぬ,…    rows

HR at a Japanese town hall opens the file in Excel and wants Japanese from the first line to
the column labels, but the people who automate the same export (a yearly workbook, an R or
pandas script) select columns by name and must not break when someone switches the page to
English.  So the header row keeps its stable English keys and a localised label row sits just
above it, marked ``# `` like every note: skipping lines whose first cell starts with ``# ``
gives the same table in either language.  The same reasoning keeps the other machine parts
unchanged: sheet names (``aggregate``, ``responses``, ``comments``), the download name, codes
in cells (``status``, ``reason_code``, ``suppressed``, ``all``, ``attribute=value``), numbers
and dates.  Translated: the notes; the column labels (a response column is labelled with its
question's wording, an attribute with its display label from :mod:`survey.roster.labels`);
principle titles and item wording; the ``note`` column (roll-ups, and why a group is hidden);
the text that stands in for withheld comments.  Every cell, translated or not, goes through
the formula neutraliser (:func:`neutralise`).
"""

from reports.exports._responses import GeneralisedRows, Respondent, generalise_rows
from reports.exports._sheets import Sheet, neutralise, to_csv, to_xlsx
from reports.exports.service import (
    ExportError,
    ExportFile,
    ExportFormat,
    ExportKind,
    ExportLanguage,
    make_export,
)

__all__ = [
    "ExportError",
    "ExportFile",
    "ExportFormat",
    "ExportKind",
    "ExportLanguage",
    "GeneralisedRows",
    "Respondent",
    "Sheet",
    "generalise_rows",
    "make_export",
    "neutralise",
    "to_csv",
    "to_xlsx",
]
