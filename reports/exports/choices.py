"""What an export can be (kind, format, language), the finished file, and why one is refused.

Kept apart from :mod:`reports.exports.service` so that the ``export`` command's options and
the HR page's form can be built without importing the statistics and spreadsheet machinery
(every command starts in well under a second; issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from survey.service_error import ServiceError


class ExportKind(StrEnum):
    """What an export holds."""

    RESPONSES = "responses"
    AGGREGATE = "aggregate"


class ExportFormat(StrEnum):
    """The file format of an export."""

    CSV = "csv"
    XLSX = "xlsx"


class ExportLanguage(StrEnum):
    """The language of an export's notes, labels and reasons (keys and codes stay English)."""

    JA = "ja"
    EN = "en"


MIMETYPES = {
    ExportFormat.CSV: "application/zip",  # the CSV tables and their datapackage.json
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportError(ServiceError):
    """Why an export was refused: ``unknown_wave`` / ``wave_not_closed`` (param ``wave``),
    ``bad_kind``, ``bad_format``, ``bad_language``, ``cannot_write`` (``path``, ``reason``);
    :func:`reports.exports.messages.export_message` words it for the page and the command."""


@dataclass(frozen=True)
class ExportFile:
    """A finished export: bytes, a download name, and how many response rows it left out."""

    content: bytes
    filename: str
    mimetype: str
    dropped: int = 0
