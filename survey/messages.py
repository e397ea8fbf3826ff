"""How a refused action reaches a person: one convention for every feature.

1. A service raises a subclass of :class:`survey.service_error.ServiceError` with a stable
   ``code`` (and the ``params`` its sentence names); it never words the refusal.
2. The feature's ``messages`` module (``survey/<feature>/messages.py``) turns the error into a
   sentence in the current language, from one table of codes.
3. Pages flash that sentence or attach it to the form field it concerns; commands print the
   same sentence in English through :func:`refused` (a terminal has no language choice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import click
from flask_babel import force_locale
from flask_babel import gettext as _

from survey.db import db
from survey.service_error import ServiceError

E = TypeVar("E", bound=ServiceError)

#: A feature's table: code → a function that words it (called late, in the reader's language).
Wording = Mapping[str, Callable[[], str]]


def worded(table: Wording, code: str) -> str:
    """The sentence for ``code``, or a general one for a code the table does not know."""
    explain = table.get(code)
    return explain() if explain else _("The action could not be done.")


def fail(message: str) -> click.ClickException:
    """A one-line error that makes the command exit with status 1 (nothing is written)."""
    db.session.rollback()
    return click.ClickException(message)


def in_english(error: E, explain: Callable[[E], str]) -> str:
    """A service error worded in English by its feature's messages module (commands, logs)."""
    with force_locale("en"):
        return explain(error)


def refused(error: E, explain: Callable[[E], str]) -> click.ClickException:
    """:func:`fail` with a service error worded in English."""
    return fail(in_english(error, explain))
