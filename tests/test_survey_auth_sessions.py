"""Sessions end: sign-out revokes the cookie on the server, idle and absolute limits, and
``revoke-sessions`` ends one account's sessions everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from survey.auth.sessions import ISSUED, SEEN
from tests.conftest import PASSWORD


def signed_in(app: Flask, make_user: Callable[..., Any], role: str = "admin") -> FlaskClient:
    client = app.test_client()
    user = make_user(role)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_a_cookie_copied_before_sign_out_no_longer_works(
    app: Flask, make_user: Callable[..., Any],
) -> None:
    client = signed_in(app, make_user)
    copied = session_cookie(client)
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_ends_the_other_browsers_session_too(
    app: Flask, make_user: Callable[..., Any],
) -> None:
    first = signed_in(app, make_user)
    second = app.test_client()
    assert second.post("/login", data={"email": "admin@example.jp",
                                       "password": PASSWORD}).status_code == 302
    first.post("/logout")
    assert second.get("/admin/").status_code == 302


def age(client: FlaskClient, key: str, seconds: int) -> None:
    """Move a session timestamp into the past (the cookie is re-signed with the real key)."""
    with client.session_transaction() as session:
        session[key] -= seconds


def test_an_idle_session_ends_after_thirty_minutes(
    app: Flask, make_user: Callable[..., Any],
) -> None:
    client = signed_in(app, make_user)
    age(client, SEEN, 29 * 60)
    assert client.get("/admin/").status_code == 200  # still within the idle limit
    age(client, SEEN, 31 * 60)
    page = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert "セッションが終了しました。もう一度ログインしてください。" in page
    assert client.get("/admin/").status_code == 302


def test_use_keeps_a_session_alive_but_not_past_its_lifetime(
    app: Flask, make_user: Callable[..., Any],
) -> None:
    client = signed_in(app, make_user)
    age(client, SEEN, 20 * 60)
    assert client.get("/admin/").status_code == 200  # this use resets the idle clock
    age(client, SEEN, 20 * 60)
    assert client.get("/admin/").status_code == 200
    age(client, ISSUED, 13 * 3600)
    assert client.get("/admin/").status_code == 302


def test_a_session_without_its_clock_is_not_accepted(
    app: Flask, make_user: Callable[..., Any],
) -> None:
    client = signed_in(app, make_user)
    with client.session_transaction() as session:
        del session[ISSUED]
    assert client.get("/admin/").status_code == 302


def test_revoke_sessions_command_ends_one_accounts_sessions(
    app: Flask, make_user: Callable[..., Any],
) -> None:
    admin = signed_in(app, make_user, "admin")
    hr = signed_in(app, make_user, "hr")
    result = app.test_cli_runner().invoke(args=["revoke-sessions", "HR@example.jp"])
    assert result.exit_code == 0, result.output
    assert "hr@example.jp" in result.output
    assert hr.get("/hr/").status_code == 302
    assert admin.get("/admin/").status_code == 200  # other accounts are untouched
    assert hr.post("/login", data={"email": "hr@example.jp",
                                   "password": PASSWORD}).status_code == 302  # may sign in again
    assert hr.get("/hr/").status_code == 200


def test_revoke_sessions_of_an_unknown_account_fails(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["revoke-sessions", "nobody@example.jp"])
    assert result.exit_code == 1 and "no account" in result.output
