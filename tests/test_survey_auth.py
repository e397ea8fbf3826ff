"""Staff-side accounts: login/logout, argon2id, inactive accounts, safe redirects, roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import Type, extract_parameters
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.auth import passwords
from survey.auth.passwords import hash_password, verify_password
from survey.auth.services import AccountError, authenticate, create_user
from survey.db import db
from survey.models import User
from tests.conftest import PASSWORD


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, query: str = "") -> Any:
    return client.post("/login" + query, data={"email": email, "password": password})


def test_login_takes_each_role_to_its_home_and_logout_signs_out(
    client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    for role, home in (("admin", "/admin/"), ("leadership", "/reports/"), ("hr", "/hr/")):
        make_user(role)
        response = sign_in(client, f"{role}@example.jp")
        assert response.status_code == 302
        assert response.headers["Location"].startswith(home)
        assert client.get("/login").status_code == 302  # already signed in
        out = client.post("/logout", follow_redirects=True)
        assert "ログアウトしました。" in out.get_data(as_text=True)
        assert client.get(home).status_code == 302  # back to the login page


def test_logout_is_post_only(client: FlaskClient) -> None:
    assert client.get("/logout").status_code == 405


def test_wrong_password_or_unknown_email_gets_the_same_japanese_message(
    client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    make_user("admin")
    for email, password in (("admin@example.jp", "wrong password!"),
                            ("nobody@example.jp", PASSWORD)):
        response = sign_in(client, email, password)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "メールアドレスまたはパスワードが正しくありません。" in body
    assert client.get("/admin/").status_code == 302


def test_login_page_is_japanese_by_default_and_english_on_request(client: FlaskClient) -> None:
    assert "ログイン" in client.get("/login").get_data(as_text=True)
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)


def test_passwords_are_stored_as_argon2id_with_owasp_parameters(
    app: Flask, make_user: Callable[..., Any]
) -> None:
    user = make_user("admin")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    parameters = extract_parameters(user.password_hash)
    assert parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19456, 2, 1)
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "x")
    assert not verify_password("not a hash", PASSWORD)
    assert hash_password(PASSWORD) != user.password_hash  # salted


def test_the_dummy_check_for_unknown_emails_costs_what_a_real_check_costs() -> None:
    # The dummy hash is a literal (no hashing at start-up): it must carry today's parameters,
    # or a sign-in with an unknown e-mail would answer faster or slower than a known one.
    assert extract_parameters(passwords._DUMMY_HASH) == extract_parameters(hash_password("x"))


def test_inactive_accounts_cannot_sign_in_and_lose_their_session(
    app: Flask, client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    make_user("admin")
    assert sign_in(client, "admin@example.jp").status_code == 302
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        db.session.scalar(select(User)).active = False
        db.session.commit()
    assert client.get("/admin/").status_code == 302
    assert sign_in(client, "admin@example.jp").status_code == 200
    with app.app_context():
        assert authenticate(db.session, "admin@example.jp", PASSWORD) is None


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "/\\/evil.example",
    "\\\\evil.example", "/\t/evil.example", "javascript:alert(1)", "evil.example",
])
def test_next_never_leads_off_site(
    client: FlaskClient, make_user: Callable[..., Any], target: str
) -> None:
    make_user("admin")
    response = sign_in(client, "admin@example.jp", query="?" + _query(target))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_next_to_a_page_of_this_site_is_followed(
    client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    make_user("admin")
    response = sign_in(client, "admin@example.jp", query="?next=/admin/settings")
    assert response.headers["Location"] == "/admin/settings"


def _query(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})


def test_staff_pages_send_strangers_to_login_and_wrong_roles_get_403(
    client: FlaskClient, login: Callable[[str], FlaskClient]
) -> None:
    first = client.get("/admin/")
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    login("hr")
    forbidden = client.get("/admin/")
    assert forbidden.status_code == 403
    assert "このアカウントでは、このページを表示できません。" in forbidden.get_data(as_text=True)


def test_create_user_normalises_email_and_refuses_bad_input(app: Flask) -> None:
    with app.app_context():
        user = create_user(db.session, "  Admin@Example.JP ", "admin", PASSWORD)
        assert user.email == "admin@example.jp"
        db.session.commit()
        for email, role, password, code in (
            ("not-an-email", "admin", PASSWORD, "invalid_email"),
            ("x@example.jp", "root", PASSWORD, "invalid_role"),
            ("x@example.jp", "hr", "short", "password_too_short"),
            ("ADMIN@example.jp", "hr", PASSWORD, "email_taken"),
        ):
            with pytest.raises(AccountError, match=code):
                create_user(db.session, email, role, password)
