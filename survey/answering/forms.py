"""The answer form: a link-bound CSRF key and plain fields named ``item_<id>``.

The radio buttons are written by the template from :mod:`survey.answering.questionnaire`
rather than by one WTForms field per choice: on survey day this page is rendered for everyone
within the hour, and per-choice widget rendering cost more than the rest of the request.

CSRF without a session.  Signed-in pages use Flask-WTF's session token; the answering page
instead carries ``HMAC-SHA256(SECRET_KEY, "naranu-answer-form" ‖ link token)``.  A page on
another site cannot read it (same-origin policy), so it cannot forge the post — the property
CSRF protection is for; and whoever knows the link could answer through it anyway, so binding
the key to the link loses nothing.  What it gains: staff get no cookie at all (nothing in the
browser outlives the visit), and the key never expires, so a person who leaves the form open
over lunch does not lose their answers to a "form expired" page.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Protocol

from flask_babel import lazy_gettext as _l

FORM_KEY_FIELD = "csrf_token"  # the conventional name; log redaction knows it
_FORM_KEY_CONTEXT = b"naranu-answer-form\x00"


class HasId(Protocol):
    """An item or a question."""

    @property
    def id(self) -> int: ...


def field_name(item: HasId) -> str:
    """The form field name of an item."""
    return f"item_{item.id}"


def posted_answers(formdata: Mapping[str, str], items: Iterable[HasId]) -> dict[int, str | None]:
    """The posted value of every item (None when skipped); other fields are ignored."""
    return {item.id: formdata.get(field_name(item)) for item in items}


def form_key(secret_key: str | bytes, token: str) -> str:
    """The CSRF key of the answer form served for ``token``."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, _FORM_KEY_CONTEXT + token.encode(), hashlib.sha256).hexdigest()


def form_key_matches(expected: str, posted: str | None) -> bool:
    """Whether ``posted`` is the ``expected`` form key (constant-time comparison)."""
    if posted is None:
        return False
    # Bytes, not str: compare_digest refuses non-ASCII text, and a hostile post may send some.
    return hmac.compare_digest(expected.encode(), posted.encode())


NOTHING_ANSWERED = _l("Please answer at least one question.")
SOME_INVALID = _l("Some answers were not valid. Please check the marked questions.")
