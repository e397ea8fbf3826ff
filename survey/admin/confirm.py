"""A confirmation step for irreversible or mass actions, without any script.

The action's form posts once without ``confirmed``: the view answers with a page that says
what will happen and a second form carrying the same fields plus ``confirmed=1``.  Only that
second post acts.  Plain forms work without JavaScript and under the strict CSP.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import render_template, request


def confirmed() -> bool:
    """Whether this post is the second, confirming one."""
    return request.form.get("confirmed") == "1"


def ask(title: str, consequences: list[str], button: str, cancel_url: str,
        fields: Mapping[str, str] | None = None, danger: bool = False) -> str:
    """The page that asks; posting its form repeats the request with ``confirmed=1``."""
    return render_template("confirm.html", title=title, consequences=consequences,
                           button=button, cancel_url=cancel_url, fields=dict(fields or {}),
                           action=request.path, danger=danger,
                           language_url=None)  # a switch would GET a POST-only address
