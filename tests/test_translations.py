"""Japanese first: every message the code and templates ask for has a Japanese translation.

The catalogs under ``translations/`` are kept by hand, one per area.  This test extracts every
message with Babel's own extractors (Python and Jinja2), the way ``pybabel extract`` would,
and fails on any that no catalog translates — so an English sentence can never reach a
Japanese page, export or e-mail unnoticed.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("survey", "reports", "templates")
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.do"}}
KEYWORDS = {
    **DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
    "_p": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2),
}
#: The HR export's wording helper: pgettext with the fixed context "export".
EXPORT_TEXT = ROOT / "reports" / "exports" / "_text.py"

Message = tuple[str | None, str]  # (context, message id)


def singular(message: str | tuple[str, ...] | list[str]) -> str:
    """The message id itself (the singular of a plural message)."""
    return message if isinstance(message, str) else message[0]


def asked_for() -> dict[Message, str]:
    """Every message the sources ask for → where (first place found)."""
    found: dict[Message, str] = {}
    for folder in SOURCES:
        for name, line, message, _notes, context in extract_from_dir(
                str(ROOT / folder), METHODS, OPTIONS, keywords=KEYWORDS):
            text = singular(message)
            if text:
                found.setdefault((context, text), f"{folder}/{name}:{line}")
    for line, message, _notes, _context in extract_from_file(
            "python", str(EXPORT_TEXT), keywords={"_t": None}):
        found.setdefault(("export", singular(message)), f"reports/exports/_text.py:{line}")
    return found


def translated() -> set[Message]:
    """Messages with a non-empty, non-fuzzy Japanese translation in any catalog."""
    done: set[Message] = set()
    for path in ROOT.glob("translations/*/ja/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            for message in read_po(handle):
                text = singular(message.id)
                if text and message.string and not message.fuzzy:
                    done.add((message.context, text))
    return done


def test_every_message_has_a_japanese_translation() -> None:
    found = asked_for()
    assert len(found) > 300  # the extractors really read the sources
    assert ("export", "Note") in found and ("roster attribute", "Department") in found
    missing = sorted(f"{where}: {text!r}" + (f" (context {context!r})" if context else "")
                     for (context, text), where in found.items()
                     if (context, text) not in translated())
    assert not missing, "untranslated:\n" + "\n".join(missing)
