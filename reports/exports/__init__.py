"""HR exports of closed waves: gated aggregates and a generalised response-level table.

``make_export`` is the entry point for the ``export`` command and the HR pages; every export
is logged publicly as ``export_made`` (docs/anonymity.md §5, HR).
"""

from reports.exports._responses import GeneralisedRows, Respondent, generalise_rows
from reports.exports._sheets import Sheet, neutralise, to_csv, to_xlsx
from reports.exports.service import (
    ExportError,
    ExportFile,
    ExportFormat,
    ExportKind,
    make_export,
)

__all__ = [
    "ExportError",
    "ExportFile",
    "ExportFormat",
    "ExportKind",
    "GeneralisedRows",
    "Respondent",
    "Sheet",
    "generalise_rows",
    "make_export",
    "neutralise",
    "to_csv",
    "to_xlsx",
]
