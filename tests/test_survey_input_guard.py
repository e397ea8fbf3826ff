"""Bounded request bodies: a small global limit, larger ones only where a view declares them,
a field count for url-encoded forms, and no NUL characters."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.roster.parsing import check_size

TOKEN_PATH = "/s/cFnolkxIefAGsagElEP1JpL4iB925z3jhdY_tw13dic"
FORM = "application/x-www-form-urlencoded"


def many_fields(count: int) -> bytes:
    """``a0=1&a1=1&…``: the body the audit used to exhaust a worker."""
    return "&".join(f"a{i}=1" for i in range(count)).encode()


@pytest.mark.parametrize("path", ["/login", TOKEN_PATH])
def test_a_megabyte_of_fields_is_refused_before_parsing(client: FlaskClient, path: str) -> None:
    body = many_fields(120_000)  # 1.3 MB
    started = time.perf_counter()
    response = client.post(path, data=body, content_type=FORM)
    assert response.status_code == 413
    assert time.perf_counter() - started < 1
    assert b"<html" in response.data and b"Traceback" not in response.data


def test_a_chunked_body_without_length_meets_the_same_limit(client: FlaskClient) -> None:
    body = many_fields(120_000)
    response = client.post("/login", input_stream=io.BytesIO(body), content_type=FORM,
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})  # as gunicorn
    assert response.status_code == 413


def test_too_many_small_fields_are_refused(client: FlaskClient) -> None:
    body = many_fields(1_500)  # 15 KB: under the size limit, over the field limit
    assert len(body) < 64 * 1024
    assert client.post("/login", data=body, content_type=FORM).status_code == 413
    assert client.post(TOKEN_PATH, data=body, content_type=FORM).status_code == 413


def test_a_normal_login_form_still_works(
    client: FlaskClient, make_user: Callable[..., Any],
) -> None:
    from tests.conftest import PASSWORD

    user = make_user("admin")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_answering_page_takes_long_comments(
    client: FlaskClient, open_wave: Callable[..., Any],
) -> None:
    _wave, links = open_wave()
    comment = "職場の雰囲気について" * 200  # 2,000 characters, 18 KB percent-encoded, ×4
    body = {f"item_{n}": comment for n in range(4)}
    response = client.post(links[0], data=body)
    assert response.status_code != 413


def test_the_large_limit_is_only_for_accounts_that_may_upload(
    app: Flask, client: FlaskClient, login: Callable[[str], FlaskClient],
) -> None:
    csv = ("employee_id,email,department\n" + "".join(
        f"E{i:06d},person{i:06d}@town.example.jp,税務課\n" for i in range(20_000))).encode()
    assert len(csv) > 512 * 1024
    check_size(len(csv), app.config["ROSTER_MAX_BYTES"])  # within the roster limit

    def post() -> int:
        return client.post("/roster", data={"file": (io.BytesIO(csv), "roster.csv")},
                           content_type="multipart/form-data").status_code

    assert post() == 413  # a stranger meets the small limit
    login("leadership")
    assert post() == 413  # so does an account that may not import
    client.post("/logout")
    login("hr")
    assert post() == 302


def test_a_nul_character_is_refused(client: FlaskClient) -> None:
    assert client.post("/login", data={"email": "a\x00@b.jp", "password": "x"}).status_code == 400
    assert client.get("/login?next=/\x00").status_code == 400


def int_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, URL) for every rule with an ``<int:…>`` part, each filled with a huge number."""
    from werkzeug.routing import IntegerConverter

    urls = []
    for rule in app.url_map.iter_rules():
        numbers = {name for name, converter in rule._converters.items()
                   if isinstance(converter, IntegerConverter)}
        if not numbers:
            continue
        values = {name: 2**64 if name in numbers else "FY2026Q1" for name in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        urls += [(method, path) for method in sorted(rule.methods or ()) if method in (
            "GET", "POST")]
    return urls


@pytest.mark.parametrize("role", ["admin", "leadership", "hr"])
@pytest.mark.parametrize("number", [2**31, 2**63, 2**64])
def test_ids_beyond_the_database_range_are_404(
    app: Flask, login: Callable[[str], FlaskClient], role: str, number: int,
) -> None:
    client = login(role)
    routes = int_routes(app)
    assert len(routes) >= 5
    for method, path in routes:
        path = path.replace(str(2**64), str(number))
        response = client.open(path, method=method)
        assert response.status_code == 404, (method, path, response.status_code)
    largest = f"/admin/waves/{2**31 - 1}/invitations.csv"
    assert client.get(largest).status_code in (302, 403, 404)  # still routed, no error


def test_a_multipart_part_without_a_name_is_no_server_error(client) -> None:
    """Found by the upload fuzzer: a part with no name made the NUL check raise (500)."""
    body = (b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
            b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--b--\r\n")
    reply = client.post("/login", data=body, content_type="multipart/form-data; boundary=b")
    assert reply.status_code < 500
