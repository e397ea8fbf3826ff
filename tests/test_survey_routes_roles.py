"""Who may do what: every route × every role against one expectation table.

A route that is not in :data:`EXPECTED` fails the test, so each new page must be classified here
(and so reviewed) before it can ship.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORD

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "admin", "leadership", "hr", "unit-head")
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
# Least privilege: only leadership reads reports, only HR downloads exports; the roster is
# kept by HR and administrators alike.
LEADERSHIP = frozenset({"leadership"})
HR = frozenset({"hr"})
ROSTER = frozenset({"hr", "admin"})
# A unit head reads the quarter list and the quarter's page scoped to their units
# (tests/test_reports_quarterly_unit.py); the PDF, the JSON API and the rounds stay leadership's.
REPORT_READERS = frozenset({"leadership", "unit-head"})
SIGNED_IN = frozenset({"admin", "leadership", "hr", "unit-head"})
# Action plans: leadership and administrators keep all, a unit head those of their units (the
# services narrow it further: tests/test_survey_plans_views.py); HR has no part in them.
PLANS = frozenset({"admin", "leadership", "unit-head"})

#: (endpoint, method) → the roles that may use it.  Everyone else is refused: anonymous visitors
#: are sent to the login page (or get 401), signed-in accounts of another role get 403.
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("public.index", "GET"): EVERYONE,
    ("public.transparency", "GET"): EVERYONE,
    ("static", "GET"): EVERYONE,
    ("auth.login", "GET"): EVERYONE,
    ("auth.login", "POST"): EVERYONE,
    ("auth.logout", "POST"): EVERYONE,
    # The code step serves only a browser that just gave a right password (survey.twofactor.
    # pending); anyone else is sent back to the login page.
    ("auth.second_step", "GET"): EVERYONE,
    ("auth.second_step", "POST"): EVERYONE,
    ("answer.answer", "GET"): EVERYONE,  # the link is the credential; no account
    ("answer.answer", "POST"): EVERYONE,
    # Staff results: no account; the link's key is the credential (404 without it).
    ("results.latest", "GET"): EVERYONE,
    ("results.organisation", "GET"): EVERYONE,
    ("results.unit", "GET"): EVERYONE,
    ("admin.home", "GET"): ADMIN,
    ("admin.audit_log", "GET"): ADMIN,
    ("admin.settings", "GET"): ADMIN,
    ("admin.settings", "POST"): ADMIN,
    ("admin.attribute_labels", "POST"): ADMIN,
    ("admin.open_wave_view", "POST"): ADMIN,
    ("admin.wave_preview_view", "GET"): ADMIN,
    ("admin.close", "POST"): ADMIN,
    ("admin.invitations_csv", "GET"): ADMIN,
    ("admin.send_invitations", "POST"): ADMIN,
    ("accounts.index", "GET"): ADMIN,
    ("accounts.index", "POST"): ADMIN,
    ("accounts.toggle_active", "POST"): ADMIN,
    ("accounts.reset", "POST"): ADMIN,
    ("accounts.units", "GET"): ADMIN,
    ("accounts.units", "POST"): ADMIN,
    ("accounts.change_password_view", "GET"): SIGNED_IN,
    ("accounts.change_password_view", "POST"): SIGNED_IN,
    ("twofactor.index", "GET"): SIGNED_IN,
    ("twofactor.start", "POST"): SIGNED_IN,
    ("twofactor.setup", "GET"): SIGNED_IN,
    ("twofactor.confirm", "POST"): SIGNED_IN,
    ("twofactor.switch_off", "POST"): SIGNED_IN,
    ("twofactor_admin.required", "GET"): ADMIN,
    ("twofactor_admin.required", "POST"): ADMIN,
    ("accounts.set_password_view", "GET"): EVERYONE,  # the access link is the credential
    ("accounts.set_password_view", "POST"): EVERYONE,
    ("schedule.edit", "GET"): ADMIN,
    ("schedule.edit", "POST"): ADMIN,
    ("principles.index", "GET"): ADMIN,
    ("principles.create_principle", "POST"): ADMIN,
    ("principles.create_item", "POST"): ADMIN,
    ("principles.edit_item", "GET"): ADMIN,
    ("principles.edit_item", "POST"): ADMIN,
    ("roster.upload", "GET"): ROSTER,
    ("roster.upload", "POST"): ROSTER,
    ("hr.home", "GET"): HR,
    ("hr.export", "POST"): HR,
    ("reports.home", "GET"): REPORT_READERS,
    ("reports.quarter", "GET"): REPORT_READERS,  # a unit head's: scoped to their units
    ("reports.quarter_pdf", "GET"): LEADERSHIP,
    ("reports.quarter_json", "GET"): LEADERSHIP,
    ("reports.wave", "GET"): LEADERSHIP,
    ("plans.index", "GET"): PLANS,
    ("plans.new", "GET"): PLANS,
    ("plans.new", "POST"): PLANS,
    ("plans.show", "GET"): PLANS,
    ("plans.update", "POST"): PLANS,
    ("plans.edit", "GET"): PLANS,
    ("plans.edit", "POST"): PLANS,
}

SAMPLE_ARGS = {"wave_id": 1, "item_id": 1, "user_id": 1, "quarter": "FY2026Q1",
               "filename": "naranu.css", "plan_id": 1, "unit": "総務課"}
#: The unit the unit head of the matrix heads, and where plan 1 belongs.
UNIT = ("総務課",)


def routes(app: Flask) -> list[tuple[str, str, Any]]:
    """(endpoint, method, rule) for every rule and method the app serves."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule))
    return found


def test_every_route_is_classified(app: Flask) -> None:
    served = {(endpoint, method) for endpoint, method, _rule in routes(app)}
    unclassified = sorted(served - EXPECTED.keys())
    assert not unclassified, f"classify these routes in EXPECTED: {unclassified}"
    stale = sorted(EXPECTED.keys() - served)
    assert not stale, f"EXPECTED lists routes that no longer exist: {stale}"


@pytest.fixture()
def visit(app: Flask, make_user: Callable[..., Any], open_wave: Callable[..., Any]):
    """``visit(role, method, url)`` → the response for a client signed in as ``role``."""
    _wave_id, links = open_wave()
    SAMPLE_ARGS["token"] = links[0].removeprefix("/s/")
    clients = {ANONYMOUS: app.test_client()}
    for role in ROLES[1:]:
        client = clients[role] = app.test_client()
        signed_in = client.post("/login", data={"email": make_user(role).email,
                                                "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.status_code
    _plan_in_unit_of_the_unit_head(app)

    def call(role: str, method: str, url: str) -> Any:
        return clients[role].open(url, method=method, data={})

    return call


def _plan_in_unit_of_the_unit_head(app: Flask) -> None:
    """Plan 1 belongs to the unit the unit head heads, so every role the matrix allows reads it."""
    import datetime as dt

    from sqlalchemy import select

    from survey.db import db
    from survey.models import User
    from survey.org_settings import put_setting
    from survey.plans.services import PlanInput, create_plan
    from survey.units.services import assign_units

    with app.app_context():
        put_setting(db.session, "group_hierarchy", ["department"])
        head = db.session.scalar(select(User).where(User.role == "unit-head"))
        assign_units(db.session, head, [UNIT])
        db.session.flush()
        plan = create_plan(db.session, head, PlanInput(UNIT, ("no-blame",), "1on1", "課長",
                                                       dt.date(2026, 5, 1)))
        db.session.commit()
        assert plan.id == SAMPLE_ARGS["plan_id"]


def refused(role: str, response: Any) -> bool:
    # Flask-Login sends strangers to /login?next=…; sign-out's own redirect has no ``next``.
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    to_login = "/login?next=" in location
    if role == ANONYMOUS:
        return response.status_code == 401 or to_login
    assert not to_login, f"{role} lost its session at {response.request.path}"
    return response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_routes(app: Flask, visit, role: str) -> None:
    wrong = []
    # Sign out last: the same signed-in client visits every route.
    for endpoint, method, rule in sorted(routes(app), key=lambda r: r[0] == "auth.logout"):
        if (endpoint, method) not in EXPECTED:
            continue  # reported by test_every_route_is_classified
        url = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments})[1]
        response = visit(role, method, url)
        allowed = role in EXPECTED[(endpoint, method)]
        assert response.status_code < 500, (role, method, url, response.status_code)
        if allowed == refused(role, response):
            wrong.append((method, url, response.status_code, "allowed" if allowed else "denied"))
    assert not wrong, f"{role}: responses that contradict EXPECTED: {wrong}"
