"""The staff pages, rendered once per wave and language and filled in per request.

On survey day nearly every request is someone opening the same empty form or receiving the
same thank-you page.  Rendering them through Jinja each time (layout, a dozen translated
strings, 70-odd radio buttons) cost more CPU than the rest of the request, database included.
So each is rendered once — with an unguessable marker where the form's CSRF key goes — and
later requests only join the pieces with their own key, HTML-escaped.

Nothing of the request that happens to render a page may enter it, since everyone else gets
that page too:
- the answering layout holds nothing of the session (``templates/answering/layout.html``: no
  account menu, no flashed messages);
- the language switch is the query-only link ``?lang=en``, which the browser resolves against
  the page's own address, so no link token is in the page at all;
- the other links depend on the application root (``SCRIPT_NAME``), which is part of the key.

The cache is keyed by everything else the page shows: the wave as read with the link (public
id, dates, k, titles) and the language, so an edited title or a new wave gets a new page.
Re-shown forms with a person's own answers and error messages are always rendered afresh.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable, Mapping
from typing import Any

from flask import current_app, render_template, request, url_for
from markupsafe import escape

from survey.answering.questionnaire import Question
from survey.answering.services import LinkWave
from survey.results_links import LATEST, results_key
from survey.templating import current_locale

_MARKER = "naranu-slot-" + secrets.token_hex(12) + "-"
_CACHE_SIZE = 256


class Shell:
    """A rendered page cut at its markers; :meth:`fill` puts the values in."""

    def __init__(self, html: str, slots: tuple[str, ...]) -> None:
        self.pieces: list[str] = []
        self.order: list[str] = []
        rest = html
        while True:
            found = [(rest.find(marker(name)), name) for name in slots]
            present = [(at, name) for at, name in found if at >= 0]
            if not present:
                break
            at, name = min(present)
            self.pieces.append(rest[:at])
            self.order.append(name)
            rest = rest[at + len(marker(name)):]
        self.pieces.append(rest)

    def fill(self, values: Mapping[str, str]) -> str:
        """The page with every marker replaced by its HTML-escaped value."""
        escaped = {name: str(escape(value)) for name, value in values.items()}
        parts = [self.pieces[0]]
        for name, piece in zip(self.order, self.pieces[1:], strict=True):
            parts += (escaped[name], piece)
        return "".join(parts)


def marker(name: str) -> str:
    """The stand-in written into a shell where the value ``name`` goes."""
    return f"{_MARKER}{name}"


_SHELLS: dict[Hashable, Shell] = {}


def _shell(key: Hashable, template: str, slots: tuple[str, ...], **context: Any) -> Shell:
    shell = _SHELLS.get(key)
    if shell is None:
        shell = Shell(render_template(template, **context), slots)
        if len(_SHELLS) >= _CACHE_SIZE:
            _SHELLS.pop(next(iter(_SHELLS)), None)
        _SHELLS[key] = shell
    return shell


def other_language_url() -> str:
    """This same link in the other language: a query-only URL, with no token in the page."""
    return "?lang=" + ("en" if current_locale() == "ja" else "ja")


def empty_form(wave: LinkWave, questions: tuple[Question, ...], key: str) -> str:
    """The unanswered form with CSRF key ``key``."""
    shell = _shell(
        ("form", wave, current_locale(), request.script_root), "answering/form.html",
        ("form_key",), wave=wave, questions=questions, posted={}, invalid=set(),
        form_errors=(), form_key=marker("form_key"), language_url=other_language_url())
    return shell.fill({"form_key": key})


def thanks() -> str:
    """The thank-you page (the same for everyone in a language), with the read link of the
    latest published results ("what we heard, what we are doing")."""
    results = url_for("results.latest",
                      key=results_key(str(current_app.config["TOKEN_KEY"]), LATEST))
    return _shell(("thanks", current_locale(), request.script_root), "answering/thanks.html",
                  (), language_url=None, results_url=results).fill({})


def filled_form(
    wave: LinkWave, questions: tuple[Question, ...], key: str,
    posted: dict[int, str | None], invalid: set[int], errors: list[str],
) -> str:
    """The form shown again with the person's answers and what was wrong (never cached)."""
    return render_template(
        "answering/form.html", wave=wave, questions=questions, posted=posted, invalid=invalid,
        form_errors=errors, form_key=key, language_url=other_language_url())


def link_page(message: str) -> str:
    """A polite page for a link that cannot be answered (unknown, spent, not open, closed)."""
    return render_template("answering/link.html", message=message,
                           language_url=other_language_url())
