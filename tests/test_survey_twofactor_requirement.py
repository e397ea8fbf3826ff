"""The organisation's rule that some roles must use two-factor sign-in: set by an administrator,
enforced on every page for an account that has not set it up, and not switched off while
required."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.db import db
from survey.models import AuditEvent
from tests.conftest import PASSWORD
from tests.test_survey_routes_roles import EXPECTED, SAMPLE_ARGS, routes
from tests.twofactor_helpers import code, enrol, steady


def require(admin: FlaskClient, *roles: str) -> Any:
    return admin.post("/admin/two-factor", data={"roles": list(roles)})


def test_an_account_of_a_required_role_reaches_only_the_set_up_until_it_has_a_second_factor(
    app: Flask, login: Callable[[str], FlaskClient], make_user: Callable[..., Any],
) -> None:
    admin = login("admin")
    assert require(admin, "hr").status_code == 302
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "twofactor_requirement_changed")).one()
        assert event.detail == {"roles": ["hr"]}
    assert admin.get("/admin/").status_code == 200  # admins are not required: unaffected
    hr = app.test_client()
    user = make_user("hr")
    assert hr.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    reached = []
    for endpoint, method, rule in routes(app):
        if "hr" not in EXPECTED[(endpoint, method)] or endpoint.startswith("twofactor.") or (
                endpoint in ("auth.logout", "static")):
            continue
        url = rule.build({name: SAMPLE_ARGS.get(name, "x") for name in rule.arguments})[1]
        response = hr.open(url, method=method, data={})
        if response.headers.get("Location") != "/account/two-factor":
            reached.append((method, url, response.status_code))
    assert reached == []
    page = hr.get("/account/two-factor?lang=en").get_data(as_text=True)
    assert "requires two-factor sign-in for your role" in page
    secret, _codes = enrol(hr)
    assert hr.get("/hr/").status_code == 200
    steady()
    refused = hr.post("/account/two-factor/disable?lang=en", follow_redirects=True,
                      data={"password": PASSWORD, "code": code(secret, 1)})
    assert "cannot be switched off" in refused.get_data(as_text=True)
    with app.app_context():
        from survey.twofactor.services import confirmed_factor

        assert confirmed_factor(db.session, user.id) is not None
    assert require(admin).status_code == 302  # no role required any more
    assert hr.post("/account/two-factor/disable",
                   data={"password": PASSWORD, "code": code(secret, 1)}).status_code == 302


def test_an_unknown_role_is_refused_and_nothing_is_stored(
    app: Flask, login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    assert require(admin, "root").status_code == 400
    assert require(admin).status_code == 302  # unchanged: "nothing was changed"
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "twofactor_requirement_changed")).all() == []
