"""Write .xlsx files the way Excel does, part by part, for tests and ``bench/roster_xlsx.py``.

openpyxl writes its text as inline strings; Excel and the HR systems that export rosters put it
in a shared-string table and mark dates with a number format.  Writing the parts by hand lets a
test choose each cell's encoding (shared or inline, rich text, furigana runs, a cell without a
reference) so that the streaming reader can be compared with openpyxl on every shape.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    f'<Types xmlns="{_PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPES}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPES}.styles+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPES}.sharedStrings+xml"/>'
    "</Types>")
ROOT_RELS = (f'<Relationships xmlns="{_PACKAGE}/relationships">'
             f'<Relationship Id="rId1" Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/>'
             "</Relationships>")
WORKBOOK_RELS = (
    f'<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_OFFICE}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{_OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>")
#: Cell styles by index: 0 General, 1 Excel's short date (built-in format 14).
DEFAULT_FORMATS: tuple[int | str, ...] = (0, 14)


def text_item(text: str) -> str:
    """A ``<t>`` element holding ``text`` exactly (spaces kept)."""
    return f'<t xml:space="preserve">{escape(text)}</t>'


def workbook(rows: Iterable[str], strings: Sequence[str] = (),
             formats: Sequence[int | str] = DEFAULT_FORMATS, *, date1904: bool = False) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` (each a ``<row>`` element as XML).

    ``strings`` are the shared-string items' inner XML (``text_item(...)`` or rich runs);
    ``formats`` are the cell styles' number formats: a built-in id or a custom format code.
    """
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": _workbook(date1904),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": _styles(formats),
        "xl/sharedStrings.xml": _DECLARATION + f'<sst {MAIN_NS} uniqueCount="{len(strings)}">'
        + "".join(f"<si>{item}</si>" for item in strings) + "</sst>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_DECLARATION + f"<worksheet {MAIN_NS}><sheetData>").encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _workbook(date1904: bool) -> str:
    properties = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    return (f'<workbook {MAIN_NS} xmlns:r="{_OFFICE}">{properties}<sheets>'
            '<sheet name="名簿" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _styles(formats: Sequence[int | str]) -> str:
    custom = {code: 164 + i for i, code in enumerate(f for f in formats if isinstance(f, str))}
    number_formats = "".join(f"<numFmt numFmtId=\"{number}\" formatCode={quoteattr(code)}/>"
                             for code, number in custom.items())
    cell_formats = "".join(
        f'<xf numFmtId="{custom[f] if isinstance(f, str) else f}" xfId="0"'
        ' applyNumberFormat="1"/>' for f in formats)
    return (f'<styleSheet {MAIN_NS}><numFmts count="{len(custom)}">{number_formats}</numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Yu Gothic"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(formats)}">{cell_formats}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>")
