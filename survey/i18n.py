"""Language choice: Japanese first, English on request (``?lang=en``), remembered in the session.

Except on the staff pages (the ``answer`` blueprint): staff carry no cookie at all, so there the
language lives in the link alone (``/s/<token>?lang=en``; the form posts back to that URL).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session

LANGUAGE_SESSION_KEY = "lang"
COOKIELESS_BLUEPRINTS = frozenset({"answer"})


def select_locale() -> str:
    """Flask-Babel locale selector: an explicit ``lang`` wins, then the session, then Japanese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang", "")
    if asked in languages:
        if request.blueprint not in COOKIELESS_BLUEPRINTS:
            session[LANGUAGE_SESSION_KEY] = asked
        return asked
    remembered = session.get(LANGUAGE_SESSION_KEY, "")
    if remembered in languages:
        return remembered
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def localized(ja: str, en: str) -> str:
    """Pick the Japanese or English text of a bilingual record for the current request."""
    from flask_babel import get_locale

    return en if str(get_locale()) == "en" else ja


def translation_directories(root: str) -> list[str]:
    """Every ``translations/<area>`` folder (one catalog per area keeps merges painless)."""
    base = Path(root) / "translations"
    return sorted(str(path) for path in base.iterdir() if path.is_dir()) if base.is_dir() else []


def init_translations(app: Flask) -> None:
    """Point Flask-Babel at every area's catalog folder."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(app.root_path))


def compile_catalogs(root: str) -> int:
    """Compile each ``messages.po`` into ``messages.mo`` (make runs it; .mo is not in git)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    count = 0
    for folder in translation_directories(root):
        for po_path in Path(folder).glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as source:
                catalog = read_po(source)
            with po_path.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)
            count += 1
    return count


if __name__ == "__main__":
    print(f"compiled {compile_catalogs(str(Path(__file__).resolve().parent.parent))} catalogs")
