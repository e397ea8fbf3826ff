"""How a command fails: one line on stderr, exit status 1, nothing written.

A leaf module, so that every feature's ``cli.py`` can use it without importing ``survey.cli``
(which registers them all).
"""

from __future__ import annotations

import click

from survey.db import db


def fail(message: str) -> click.ClickException:
    """A one-line error that makes the command exit with status 1 (the session rolled back)."""
    db.session.rollback()
    return click.ClickException(message)
