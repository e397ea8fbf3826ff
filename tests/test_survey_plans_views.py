"""Action plans in the browser: who reads and keeps which plan, on the server side.

A unit head keeps the plans of the units they head and of the units below; another unit's plan
does not exist for them (404), the organisation's own plans are theirs to read, not to change
(403).  Leadership and administrators keep every plan; HR has none of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.db import db
from survey.models import AuditEvent, User
from survey.plans.models import ActionPlan, PlanStatus, PlanUpdate
from survey.plans.services import PlanInput, create_plan
from survey.units.paths import unit_key
from survey.units.services import assign_units
from tests.conftest import PASSWORD

SOUMU = ("総務部", "総務課")
SHOMU = ("総務部", "総務課", "庶務係")
ZEIMU = ("町民部", "税務課")
ROWS = [
    {"employee_id": f"E{i:03d}", "email": f"e{i:03d}@town.example.jp", "部": path[0],
     "課": path[1], "係": path[2] if len(path) > 2 else ""}
    for i, path in enumerate([SHOMU] * 6 + [SOUMU] * 2 + [ZEIMU] * 8)
]


@pytest.fixture()
def town(app: Flask) -> dict[str, int]:
    """The roster, a head of 総務課, a head of 税務課, and a plan of each unit and one of the
    organisation: returns plan ids by name."""
    from survey.roster.services import import_roster

    with app.app_context():
        import_roster(db.session, ROWS, hierarchy=["部", "課", "係"])
        boss = _account("leadership", "boss")
        plans = {"org": _plan(boss, ()), "soumu": _plan(boss, SOUMU),
                 "shomu": _plan(boss, SHOMU), "zeimu": _plan(boss, ZEIMU)}
        for name, unit in (("soumu-head", SOUMU), ("zeimu-head", ZEIMU)):
            assign_units(db.session, _account("unit-head", name), [unit])
        db.session.commit()
        return plans


def _account(role: str, name: str) -> User:
    from survey.auth.services import create_user

    user = create_user(db.session, f"{name}@town.example.jp", role, PASSWORD)
    db.session.flush()
    return user


def _plan(author: User, unit: tuple[str, ...]) -> int:
    plan = create_plan(db.session, author, PlanInput(
        unit, ("no-blame",), f"plan of {'/'.join(unit) or 'all'}", "課長", dt.date(2026, 6, 1)))
    return plan.id


def _signed_in(app: Flask, name: str, role: str | None = None) -> FlaskClient:
    client = app.test_client()
    if role is not None:
        with app.app_context():
            _account(role, name)
            db.session.commit()
    response = client.post("/login", data={"email": f"{name}@town.example.jp",
                                           "password": PASSWORD})
    assert response.status_code == 302
    return client


def _form(unit: tuple[str, ...], **overrides: Any) -> dict[str, Any]:
    return {"unit": unit_key(unit), "principles": ["no-blame", "evidence"],
            "title": "毎週の振り返り会", "owner": "係長", "starts_on": "2026-07-01",
            "due_on": "2026-09-30", "details": "", **overrides}


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_unit_head_creates_a_plan_for_their_unit(app: Flask, town: dict[str, int]) -> None:
    client = _signed_in(app, "soumu-head")
    response = client.post("/plans/new", data=_form(SHOMU))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        plan = db.session.scalars(select(ActionPlan).order_by(ActionPlan.id.desc())).first()
        assert (plan.unit, plan.title, plan.owner, plan.status) == (
            unit_key(SHOMU), "毎週の振り返り会", "係長", PlanStatus.PLANNED)
        assert sorted(p.code for p in plan.principles) == ["evidence", "no-blame"]
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.actor_role, event.detail["unit"], event.public) == (
            "plan_created", "unit-head", "総務部 > 総務課 > 庶務係", False)
    assert response.headers["Location"] == f"/plans/{plan.id}"


def test_a_unit_head_cannot_create_a_plan_for_another_unit_or_the_organisation(
    app: Flask, town: dict[str, int],
) -> None:
    client = _signed_in(app, "soumu-head")
    before = _count(app, ActionPlan)
    for unit in (ZEIMU, ()):
        page = client.post("/plans/new?lang=en", data=_form(unit))
        assert page.status_code == 400
        assert "Not a valid choice" in page.get_data(as_text=True)
    assert _count(app, ActionPlan) == before
    form = client.get("/plans/new").get_data(as_text=True)
    assert "税務課" not in form and "総務課 &gt; 庶務係" in form


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/plans/{id}"), ("GET", "/plans/{id}/edit"), ("POST", "/plans/{id}/edit"),
    ("POST", "/plans/{id}/updates"),
])
def test_another_unit_s_plan_does_not_exist_for_a_unit_head(
    app: Flask, town: dict[str, int], method: str, path: str,
) -> None:
    client = _signed_in(app, "soumu-head")
    url = path.format(id=town["zeimu"])
    data = {**_form(SOUMU), "status": "done", "on": "2026-07-01", "note": "x"}
    assert client.open(url, method=method, data=data).status_code == 404
    with app.app_context():
        plan = db.session.get(ActionPlan, town["zeimu"])
        assert (plan.unit, plan.status, len(plan.updates)) == (unit_key(ZEIMU), "planned", 1)


def test_the_organisation_s_plans_are_read_only_for_a_unit_head(
    app: Flask, town: dict[str, int],
) -> None:
    client = _signed_in(app, "soumu-head")
    page = client.get(f"/plans/{town['org']}?lang=en")
    assert page.status_code == 200 and "Record an update" not in page.get_data(as_text=True)
    assert client.get(f"/plans/{town['org']}/edit").status_code == 403
    update = {"status": "done", "on": "2026-07-01", "note": ""}
    assert client.post(f"/plans/{town['org']}/updates", data=update).status_code == 403


def test_the_list_shows_a_unit_head_their_units_below_and_the_organisation(
    app: Flask, town: dict[str, int],
) -> None:
    page = _signed_in(app, "soumu-head").get("/plans").get_data(as_text=True)
    for shown in ("plan of all", "plan of 総務部/総務課", "plan of 総務部/総務課/庶務係"):
        assert shown in page
    assert "税務課" not in page
    everything = _signed_in(app, "boss").get("/plans").get_data(as_text=True)
    assert "plan of 町民部/税務課" in everything


def test_leadership_and_admins_keep_every_plan_and_hr_none(
    app: Flask, town: dict[str, int],
) -> None:
    for name, role in (("boss", None), ("root", "admin")):
        client = _signed_in(app, name, role)
        response = client.post(f"/plans/{town['zeimu']}/edit", data=_form(ZEIMU, title=name))
        assert response.status_code == 302, (name, response.status_code)
    with app.app_context():
        assert db.session.get(ActionPlan, town["zeimu"]).title == "root"
    hr = _signed_in(app, "people", "hr")
    assert hr.get(f"/plans/{town['zeimu']}").status_code == 403
    assert hr.get("/plans").status_code == 403


def test_updates_keep_a_dated_history_and_the_latest_date_sets_the_status(
    app: Flask, town: dict[str, int],
) -> None:
    client = _signed_in(app, "soumu-head")
    url = f"/plans/{town['shomu']}/updates"
    for status, on in (("in_progress", "2026-07-10"), ("done", "2026-09-01"),
                       ("in_progress", "2026-08-01")):  # a late entry for an earlier day
        assert client.post(url, data={"status": status, "on": on, "note": "週1回"}).status_code \
            == 302
    with app.app_context():
        plan = db.session.get(ActionPlan, town["shomu"])
        assert plan.status == PlanStatus.DONE
        assert [(u.on.isoformat(), u.status) for u in plan.updates] == [
            ("2026-06-01", "planned"), ("2026-07-10", "in_progress"), ("2026-09-01", "done"),
            ("2026-08-01", "in_progress")]
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action == "plan_updated")).all()
        assert len(actions) == 3
    page = client.get(f"/plans/{town['shomu']}?lang=ja").get_data(as_text=True)
    assert page.index("2026/07/10") < page.index("2026/08/01") < page.index("2026/09/01")


@pytest.mark.parametrize(("lang", "overrides", "message"), [
    ("en", {"due_on": "2026-06-01"}, "The &#39;done by&#39; date is before the start."),
    ("ja", {"due_on": "2026-06-01"}, "完了予定日が開始日より前です。"),
    ("en", {"principles": []}, "Choose at least one principle."),
    ("en", {"owner": ""}, "Say which role carries it out"),
    ("ja", {"starts_on": "2026-02-30"}, "その日付は存在しません。"),
])
def test_bad_input_is_refused_in_the_user_s_language_and_writes_nothing(
    app: Flask, town: dict[str, int], lang: str, overrides: dict[str, Any], message: str,
) -> None:
    client = _signed_in(app, "soumu-head")
    before = (_count(app, ActionPlan), _count(app, PlanUpdate), _count(app, AuditEvent))
    response = client.post(f"/plans/new?lang={lang}", data=_form(SOUMU, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (_count(app, ActionPlan), _count(app, PlanUpdate), _count(app, AuditEvent)) == before


def test_pages_are_in_japanese_and_english(app: Flask, town: dict[str, int]) -> None:
    client = _signed_in(app, "soumu-head")
    assert "行動計画" in client.get("/plans?lang=ja").get_data(as_text=True)
    page = client.get(f"/plans/{town['shomu']}?lang=en").get_data(as_text=True)
    assert "Record an update" in page and "Planned" in page
    assert "<script" not in page.split("</nav>")[-1]  # no inline script (CSP)


def test_a_post_without_the_csrf_token_is_refused(
    make_app: Callable[..., Flask], town: dict[str, int],
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": "boss@town.example.jp", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    before = _count(app, ActionPlan)
    assert client.post("/plans/new", data=_form(SOUMU)).status_code == 400
    assert _count(app, ActionPlan) == before


def test_a_unit_head_without_units_cannot_make_plans(app: Flask, town: dict[str, int]) -> None:
    client = _signed_in(app, "lonely", "unit-head")
    assert client.get("/plans/new").status_code == 403
    page = client.get("/plans?lang=en").get_data(as_text=True)
    assert "New plan" not in page and "plan of all" in page
