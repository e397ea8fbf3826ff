"""Refuse requests carrying NUL characters before any view sees them.

PostgreSQL cannot store U+0000 in text, and no field of naranu has a use for it, so a NUL in
the query string or a form field is a hostile or broken request: answer 400 and touch nothing,
on SQLite and PostgreSQL alike (instead of a database error half-way through a view).
"""

from __future__ import annotations

from flask import Flask, abort, request


def reject_nul_characters() -> None:
    """``before_request`` hook: 400 when any query or form value (or key) contains NUL."""
    for source in (request.args, request.form):
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                abort(400)


def init_input_guard(app: Flask) -> None:
    """Register the hook."""
    app.before_request(reject_nul_characters)
