"""Bound what a request may carry before any view (or CSRF check) reads it.

* **Body size.**  ``MAX_CONTENT_LENGTH`` is small (64 KiB): every form of naranu fits in it, and
  an anonymous visitor can no longer make a worker parse megabytes before CSRF refuses the post.
  A view that needs more declares it with :func:`accepts_large_body`: the answering page (a few
  long comments), and the roster upload, whose large limit is granted only to an account whose
  role may use the view — a stranger posting to ``/roster`` still meets the small limit.
* **Field count.**  Werkzeug applies ``MAX_FORM_PARTS`` to multipart bodies only and parses an
  url-encoded body in full; :class:`BoundedFormDataParser` counts the fields first (one pass over
  the bytes) and answers 413 beyond the limit.
* **Ids in URLs.**  ``<int:…>`` matches only numbers a database integer column holds (up to
  2³¹ − 1, PostgreSQL's ``integer``), so ``/admin/waves/99999999999999999999/…`` is a plain 404
  instead of an overflow error from the driver.
* **NUL characters.**  PostgreSQL cannot store U+0000 in text, and no field of naranu has a use
  for it, so a NUL in the query string or a form field is a hostile or broken request: answer 400
  and touch nothing, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, TypeVar

from flask import Flask, abort, current_app, request
from flask import Request as FlaskRequest
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.routing import IntegerConverter, Map

View = TypeVar("View", bound=Callable[..., Any])

#: The largest value of a database ``integer`` column (PostgreSQL's is 32-bit).
MAX_DATABASE_INT = 2**31 - 1

#: Room for the multipart envelope and the other fields around an uploaded file.
UPLOAD_ENVELOPE = 64 * 1024


def accepts_large_body(setting: str, envelope: int = 0) -> Callable[[View], View]:
    """Let this view's requests be as large as ``config[setting]`` plus ``envelope`` bytes."""

    def mark(view: View) -> View:
        view.body_limit = (setting, envelope)  # type: ignore[attr-defined]
        return view

    return mark


class BoundedFormDataParser(FormDataParser):
    """Werkzeug's form parser, with ``max_form_parts`` applied to url-encoded bodies too."""

    def _parse_urlencoded(
        self, stream: IO[bytes], mimetype: str, content_length: int | None,
        options: dict[str, str],
    ) -> Any:
        body = stream.read()  # already limited to max_content_length
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        return super()._parse_urlencoded(io.BytesIO(body), mimetype, content_length, options)


class BoundedRequest(FlaskRequest):
    """The request class of naranu: forms are parsed by :class:`BoundedFormDataParser`."""

    form_data_parser_class = BoundedFormDataParser


def apply_body_limit() -> None:
    """``before_request`` hook: raise the body limit for a view that declared a larger one."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "body_limit", None)
    if limit is None or not may_use(view):
        return
    setting, envelope = limit
    request.max_content_length = current_app.config[setting] + envelope


def may_use(view: Any) -> bool:
    """Whether the visitor may use the view (its ``roles_required`` roles, if it has any)."""
    roles = getattr(view, "allowed_roles", None)
    if roles is None:
        return True
    return bool(current_user.is_authenticated and current_user.role in roles)


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` limited to what an id column can hold: larger numbers match no route (404)."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_DATABASE_INT, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def reject_nul_characters() -> None:
    """``before_request`` hook: 400 when any query or form value (or key) contains NUL."""
    for source in (request.args, request.form):
        for key, values in source.lists():
            # A multipart part may come without a name or value: None, not text.
            if "\x00" in (key or "") or any("\x00" in (value or "") for value in values):
                abort(400)


def init_input_guard(app: Flask) -> None:
    """Install the bounded request class and id converter, and the hooks (body limit first).

    Call it before any blueprint is registered: routes pick their converters when added.
    """
    app.request_class = BoundedRequest
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(apply_body_limit)
    app.before_request(reject_nul_characters)
