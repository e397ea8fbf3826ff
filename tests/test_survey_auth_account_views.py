"""Accounts in the browser: invite with a role, set a password once, deactivate, reset, change."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.db import db
from survey.models import User
from tests.conftest import PASSWORD

NEW = "a long new passphrase"


def _link(page: str) -> str:
    found = re.search(r'<code class="access-link">https?://[^/]+(/account/set/[^<]+)</code>', page)
    assert found, page
    return found.group(1)


def _sign_in(client, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def _invite(admin, email: str = "hr2@town.example.jp", role: str = "hr") -> str:
    page = admin.post("/admin/accounts?lang=en", data={"email": email, "role": role})
    assert page.status_code == 200, page.get_data(as_text=True)[:400]
    return _link(page.get_data(as_text=True))


def test_an_invited_account_sets_its_password_once_and_signs_in(app, login) -> None:
    admin = login("admin")
    link = _invite(admin)
    stranger = app.test_client()
    assert _sign_in(stranger, "hr2@town.example.jp", "") == 200  # no password works yet
    assert stranger.get(link).status_code == 200
    done = stranger.post(link, data={"password": NEW, "again": NEW})
    assert done.status_code == 302
    assert stranger.get(link).status_code == 404  # single use
    assert _sign_in(stranger, "hr2@town.example.jp", NEW) == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hr2@town.example.jp"))
        assert user.role == "hr"


def test_bad_invitations_are_refused_in_the_users_language(app, login) -> None:
    admin = login("admin")
    page = admin.post("/admin/accounts", data={"email": "not-an-address", "role": "hr"})
    assert page.status_code == 400
    assert "有効なメールアドレスではありません" in page.get_data(as_text=True) or \
        "メールアドレス" in page.get_data(as_text=True)
    wrong_role = admin.post("/admin/accounts", data={"email": "x@town.example.jp",
                                                      "role": "root"})
    assert wrong_role.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@town.example.jp")) is None


def test_deactivation_asks_first_and_ends_the_other_session(app, login, make_user) -> None:
    admin = login("admin")
    other = make_user("leadership")
    theirs = app.test_client()
    assert _sign_in(theirs, other.email, PASSWORD) == 302
    asked = admin.post(f"/admin/accounts/{other.id}/active?lang=en")
    assert "Deactivate leadership@example.jp?" in asked.get_data(as_text=True)
    assert theirs.get("/reports/").status_code == 200
    admin.post(f"/admin/accounts/{other.id}/active", data={"confirmed": "1"})
    assert theirs.get("/reports/").status_code == 302  # signed out at the next page
    assert _sign_in(app.test_client(), other.email, PASSWORD) == 200
    admin.post(f"/admin/accounts/{other.id}/active")  # reactivating needs no question
    assert _sign_in(app.test_client(), other.email, PASSWORD) == 302


def test_nobody_deactivates_themselves(app, login) -> None:
    admin = login("admin")
    with app.app_context():
        me = db.session.scalar(select(User).where(User.email == "admin@example.jp"))
    page = admin.post(f"/admin/accounts/{me.id}/active?lang=en", data={"confirmed": "1"},
                      follow_redirects=True)
    assert "You cannot deactivate your own account." in page.get_data(as_text=True)
    assert admin.get("/admin/").status_code == 200


def test_reset_stops_the_old_password_and_old_links(app, login, make_user) -> None:
    admin = login("admin")
    other = make_user("hr")
    first = _link(admin.post(f"/admin/accounts/{other.id}/reset",
                             data={"confirmed": "1"}).get_data(as_text=True))
    second = _link(admin.post(f"/admin/accounts/{other.id}/reset",
                              data={"confirmed": "1"}).get_data(as_text=True))
    assert _sign_in(app.test_client(), other.email, PASSWORD) == 200
    client = app.test_client()
    assert client.get(first).status_code == 404  # replaced by the newer link
    client.post(second, data={"password": NEW, "again": NEW})
    assert _sign_in(app.test_client(), other.email, NEW) == 302


def test_everyone_changes_their_own_password(app, login) -> None:
    client = login("leadership")
    wrong = client.post("/account/password?lang=en",
                        data={"current": "nope", "password": NEW, "again": NEW})
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.get_data(
        as_text=True)
    differ = client.post("/account/password",
                         data={"current": PASSWORD, "password": NEW, "again": NEW + "x"})
    assert differ.status_code == 400
    assert client.post("/account/password", data={
        "current": PASSWORD, "password": NEW, "again": NEW}).status_code == 302
    assert _sign_in(app.test_client(), "leadership@example.jp", NEW) == 302


def test_the_access_link_is_mailed_when_a_server_is_configured(mail_app, smtp, make_user):
    client = mail_app.test_client()
    assert _sign_in(client, make_user("admin").email, PASSWORD) == 302
    page = client.post("/admin/accounts?lang=en", data={"email": "new@town.example.jp",
                                                         "role": "leadership"})
    assert "was sent to new@town.example.jp by e-mail" in page.get_data(as_text=True)
    assert smtp.recipients() == {"new@town.example.jp": 1}
    assert _link(page.get_data(as_text=True)) in smtp.messages[0].get_content()
