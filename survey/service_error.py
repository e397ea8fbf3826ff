"""The one shape of a refused action: a stable code, never a sentence.

Pure (no Flask, no database), so pure modules such as :mod:`survey.roster.parsing` raise it too.
"""

from __future__ import annotations

from typing import Any


class ServiceError(ValueError):
    """Why a service refused: a stable ``code`` and the ``params`` its sentence names.

    Services do not word refusals: the feature's ``messages`` module turns the code into a
    sentence in the reader's language (see :mod:`survey.messages`).  ``str(error)`` is the code.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
