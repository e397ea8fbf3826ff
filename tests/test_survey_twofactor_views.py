"""Two-factor sign-in through the real pages: enrolment, the code step, recovery codes,
switching off, an administrator's reset, the half-signed-in state and the code step's limits.

Codes are made with pyotp from the secret the set-up page shows, at the real clock, as an
authenticator app would (tests.twofactor_helpers).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.db import db
from survey.models import AuditEvent, User
from survey.twofactor.models import RecoveryCode, SecondFactor
from survey.twofactor.pending import PENDING
from tests.conftest import PASSWORD
from tests.twofactor_helpers import code, enrol, steady

HOME = "/admin/"


def password_step(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"email": email, "password": password})


def code_step(client: FlaskClient, typed: str) -> Any:
    return client.post("/login/code", data={"code": typed})


@pytest.fixture()
def enrolled(app: Flask, login: Callable[[str], FlaskClient]) -> tuple[FlaskClient, str, list[str]]:
    """An admin with two-factor sign-in on, signed out: (client, secret, recovery codes).

    Enrolled with the code of the step *before* now (drift −1 accepted at confirmation), so
    the current step is still free for the test.
    """
    client = login("admin")
    secret, codes = enrol(client, steps=-1)
    client.post("/logout")
    return client, secret, codes


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_setting_up_shows_a_qr_code_and_the_key_and_switches_on_only_with_a_right_code(
    app: Flask, login: Callable[[str], FlaskClient],
) -> None:
    client = login("admin")
    assert "Off" in client.get("/account/two-factor?lang=en").get_data(as_text=True)
    assert client.post("/account/two-factor/setup").status_code == 302
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert '<svg viewBox="0 0 ' in page and 'class="qr"' in page  # inline SVG, no script
    assert "<script>" not in page
    from tests.twofactor_helpers import SECRET_ON_PAGE

    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    wrong = client.post("/account/two-factor/confirm?lang=ja", data={"code": "000000"
                        if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "コードが違うか、すでに使われています" in wrong.get_data(as_text=True)
    with app.app_context():
        factor = db.session.get(SecondFactor, 1)
        assert factor is not None and factor.confirmed_at is None
        assert secret not in factor.secret  # encrypted, never in clear
    steady()
    done = client.post("/account/two-factor/confirm", data={"code": code(secret)})
    assert done.status_code == 200
    from tests.twofactor_helpers import RECOVERY_ON_PAGE

    codes = RECOVERY_ON_PAGE.findall(done.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == 10
    assert "private, no-store" in done.headers["Cache-Control"]
    with app.app_context():
        stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
        assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
        assert db.session.get(SecondFactor, 1).confirmed_at is not None
    assert actions(app)[-1] == "twofactor_enabled"
    # Shown once: the status page counts them but never shows them again.
    status = client.get("/account/two-factor?lang=en").get_data(as_text=True)
    assert "Unused recovery codes: 10" in status and codes[0] not in status


def test_an_enrolled_account_signs_in_with_password_then_code(
    app: Flask, enrolled: tuple[FlaskClient, str, list[str]],
) -> None:
    client, secret, _codes = enrolled
    first = password_step(client, "admin@example.jp")
    assert first.status_code == 302 and first.headers["Location"] == "/login/code"
    assert client.get("/login/code").status_code == 200
    steady()
    wrong = code_step(client, "999999" if code(secret) != "999999" else "888888")
    assert wrong.status_code == 400  # still waiting: the person may try again
    done = code_step(client, code(secret))
    assert done.status_code == 302 and done.headers["Location"] == HOME
    assert client.get(HOME).status_code == 200
    with client.session_transaction() as session:
        assert PENDING not in session


def test_a_code_is_accepted_once_with_one_step_of_drift_but_not_two(
    app: Flask, enrolled: tuple[FlaskClient, str, list[str]],
) -> None:
    client, secret, _codes = enrolled
    steady()
    now, ahead, far = code(secret), code(secret, 1), code(secret, 2)
    password_step(client, "admin@example.jp")
    assert code_step(client, now).status_code == 302
    client.post("/logout")
    password_step(client, "admin@example.jp")
    assert code_step(client, now).status_code == 400  # replayed within its step
    if far != ahead:
        assert code_step(client, far).status_code == 400  # two steps ahead: too far
    assert code_step(client, ahead).status_code == 302  # the app's clock 30 s fast
    client.post("/logout")
    password_step(client, "admin@example.jp")
    assert code_step(client, ahead).status_code == 400  # used
    assert code_step(client, now).status_code == 400  # older than the last one used


def test_a_recovery_code_signs_in_once(
    app: Flask, enrolled: tuple[FlaskClient, str, list[str]],
) -> None:
    client, _secret, codes = enrolled
    password_step(client, "admin@example.jp")
    done = code_step(client, codes[3].lower().replace("-", " "))  # as typed from paper
    assert done.status_code == 302
    page = client.get(HOME).get_data(as_text=True)
    assert "残りのリカバリーコードは 9 個です" in page
    assert actions(app)[-1] == "twofactor_recovery_used"
    client.post("/logout")
    password_step(client, "admin@example.jp")
    assert code_step(client, codes[3]).status_code == 400
    assert code_step(client, codes[4]).status_code == 302


def test_switching_off_needs_password_and_code_then_the_password_alone_signs_in(
    app: Flask, enrolled: tuple[FlaskClient, str, list[str]],
) -> None:
    client, secret, _codes = enrolled
    steady()
    password_step(client, "admin@example.jp")
    assert code_step(client, code(secret)).status_code == 302
    wrong_password = client.post("/account/two-factor/disable?lang=en",
                                 data={"password": "not the password", "code": code(secret, 1)})
    assert wrong_password.status_code == 400
    assert "The password is wrong." in wrong_password.get_data(as_text=True)
    wrong_code = client.post("/account/two-factor/disable",
                             data={"password": PASSWORD, "code": code(secret)})  # used
    assert wrong_code.status_code == 400
    off = client.post("/account/two-factor/disable",
                      data={"password": PASSWORD, "code": code(secret, 1)})
    assert off.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(SecondFactor)).all() == []
        assert db.session.scalars(select(RecoveryCode)).all() == []
    assert actions(app)[-1] == "twofactor_disabled"
    client.post("/logout")
    again = password_step(client, "admin@example.jp")
    assert again.status_code == 302 and again.headers["Location"] == HOME


def test_the_half_signed_in_state_reaches_no_protected_page_and_ends_there(
    app: Flask, enrolled: tuple[FlaskClient, str, list[str]],
) -> None:
    from tests.test_survey_routes_roles import ANONYMOUS, EXPECTED, SAMPLE_ARGS, routes

    client, secret, _codes = enrolled
    reached = []
    for endpoint, method, rule in routes(app):
        if ANONYMOUS in EXPECTED[(endpoint, method)]:
            continue
        assert password_step(client, "admin@example.jp").status_code == 302
        url = rule.build({name: SAMPLE_ARGS.get(name, "x") for name in rule.arguments})[1]
        response = client.open(url, method=method, data={})
        location = response.headers.get("Location", "")
        if not (response.status_code == 401 or "/login?next=" in location):
            reached.append((method, url, response.status_code))
        # …and the detour ended the half-signed-in state: the code alone no longer signs in.
        assert code_step(client, code(secret)).headers.get("Location") == "/login"
    assert reached == []


def test_the_half_signed_in_state_expires(
    app: Flask, enrolled: tuple[FlaskClient, str, list[str]],
) -> None:
    client, secret, _codes = enrolled
    password_step(client, "admin@example.jp")
    with client.session_transaction() as session:
        session[PENDING] = {**session[PENDING], "at": session[PENDING]["at"] - 301}
    steady()
    late = code_step(client, code(secret))
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert client.get(HOME).status_code == 302


def test_an_admin_reset_removes_the_second_factor_for_a_lost_phone(
    app: Flask, make_user: Callable[..., Any],
) -> None:
    hr = app.test_client()
    user = make_user("hr")
    password_step(hr, user.email)
    secret, _codes = enrol(hr)
    admin = app.test_client()
    make_user("admin")
    password_step(admin, "admin@example.jp")
    asked = admin.post(f"/admin/accounts/{user.id}/reset?lang=en")
    assert "Two-factor sign-in is switched off" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SecondFactor, user.id) is not None  # asking changes nothing
    done = admin.post(f"/admin/accounts/{user.id}/reset", data={"confirmed": "1"})
    assert done.status_code == 200
    with app.app_context():
        assert db.session.get(SecondFactor, user.id) is None
        assert db.session.scalars(select(RecoveryCode)).all() == []
        reset = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "twofactor_reset")).one()
        assert reset.detail == {"email": user.email} and reset.actor_role == "admin"
        # No secret or code reaches the audit log.
        assert not any(secret in str(e.detail) for e in db.session.scalars(select(AuditEvent)))


def test_a_reset_during_the_code_step_ends_the_half_signed_in_state(
    app: Flask, enrolled: tuple[FlaskClient, str, list[str]],
) -> None:
    from survey.auth.sessions import revoke_sessions

    client, secret, _codes = enrolled
    password_step(client, "admin@example.jp")
    with app.app_context():
        revoke_sessions(db.session, db.session.get_one(User, 1))
        db.session.commit()
    steady()
    assert code_step(client, code(secret)).headers["Location"] == "/login"


def test_wrong_codes_are_limited_per_account_like_passwords(
    make_app: Callable[..., Flask], make_user: Callable[..., Any], tmp_path: Path,
) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="100 per minute",
                   RATELIMIT_LOGIN_ACCOUNT="3 per day", PROXY_FIX=1,
                   RATELIMIT_STORAGE_URI=f"naranu+sqlite:///{tmp_path / 'counters'}")
    user = make_user("admin")
    client = app.test_client()
    password_step(client, user.email)
    secret, _codes = enrol(client)
    client.post("/logout")
    tries = []
    for n in range(4):  # a fresh address and a fresh password step each time
        other = app.test_client()
        address = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert other.post("/login", data={"email": user.email, "password": PASSWORD},
                          headers=address).status_code == 302
        wrong = "123456" if code(secret) != "123456" else "654321"
        tries.append(other.post("/login/code", data={"code": wrong},
                                headers=address).status_code)
    assert tries == [400, 400, 400, 429]
    steady()
    limited = other.post("/login/code", data={"code": code(secret, 1)},
                         headers={"X-Forwarded-For": "203.0.113.1"})
    assert limited.status_code == 429  # even the right code waits
    assert b"Traceback" not in limited.data


def test_the_code_step_keeps_csrf_on(make_app: Callable[..., Flask],
                                     make_user: Callable[..., Any]) -> None:
    import re

    app = make_app(WTF_CSRF_ENABLED=True)
    make_user("admin")
    with app.app_context():
        from survey.twofactor.services import confirm_enrolment, start_enrolment
        from survey.twofactor.vault import unseal  # noqa: F401

        user = db.session.get_one(User, 1)
        secret = start_enrolment(db.session, user, app.config["TWOFACTOR_KEY"])
        steady()
        confirm_enrolment(db.session, user, app.config["TWOFACTOR_KEY"], code(secret, -1))
        db.session.commit()
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": "admin@example.jp", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    steady()
    assert code_step(client, code(secret)).status_code == 400  # no token: refused
    page = client.get("/login/code").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login/code", data={"code": code(secret), "csrf_token": token}
                       ).status_code == 302
