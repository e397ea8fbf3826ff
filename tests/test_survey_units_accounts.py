"""Unit heads on the accounts page: invited with their units, units changed later, every
refusal in the admin's language with nothing written."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey.db import db
from survey.models import AuditEvent, User
from survey.units.models import UnitAssignment
from survey.units.services import units_of

ROWS = [
    {"employee_id": f"E{i:03d}", "email": f"e{i:03d}@town.example.jp", "部": part, "課": section,
     "係": team}
    for i, (part, section, team) in enumerate(
        [("総務部", "総務課", "庶務係")] * 6 + [("町民部", "税務課", "企画")] * 6
        + [("総務部", "企画", "")] * 6)
]


@pytest.fixture()
def town(app: Flask) -> None:
    from survey.roster.services import import_roster

    with app.app_context():
        import_roster(db.session, ROWS, hierarchy=["部", "課", "係"])
        db.session.commit()


def _head(app: Flask, email: str = "kacho@town.example.jp") -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def _units(app: Flask, user: User) -> list[tuple[str, ...]]:
    with app.app_context():
        return units_of(db.session, db.session.get(User, user.id))


def _written(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(User)) or 0,
                db.session.scalar(select(func.count()).select_from(UnitAssignment)) or 0)


def test_an_admin_invites_a_unit_head_with_their_units(app: Flask, login, town) -> None:
    admin = login("admin")
    page = admin.post("/admin/accounts?lang=en", data={
        "email": "kacho@town.example.jp", "role": "unit-head", "units": "総務課\n税務課/企画"})
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    head = _head(app)
    assert head.role == "unit-head"
    assert _units(app, head) == [("町民部", "税務課", "企画"), ("総務部", "総務課")]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_invited"))
        assert event.detail["units"] == ["総務部 > 総務課", "町民部 > 税務課 > 企画"]
    listing = admin.get("/admin/accounts?lang=en").get_data(as_text=True)
    assert "Unit head" in listing and "総務部 &gt; 総務課" in listing and "Change units" in listing


@pytest.mark.parametrize(("lang", "role", "units", "messages"), [
    ("ja", "unit-head", "広報課", ["「広報課」は現在の名簿にある組織ではありません。"]),
    ("en", "unit-head", "企画", ["&#39;企画&#39; names several units",
                               "町民部/税務課/企画、総務部/企画"]),
    ("ja", "unit-head", "企画", ["「企画」は複数の組織（町民部/税務課/企画、総務部/企画）"
                               "を指します。"]),
    ("en", "unit-head", "", ["A unit head needs at least one unit."]),
    ("ja", "hr", "総務課", ["担当する組織を指定できるのは所属長だけです。"]),
])
def test_bad_units_are_refused_in_the_admin_s_language_and_nothing_is_written(
    app: Flask, login, town, lang: str, role: str, units: str, messages: list[str],
) -> None:
    admin = login("admin")
    before = _written(app)
    page = admin.post(f"/admin/accounts?lang={lang}", data={
        "email": "kacho@town.example.jp", "role": role, "units": units})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert all(message in text for message in messages), text
    assert _written(app) == before


def test_an_admin_changes_a_unit_head_s_units(app: Flask, login, town) -> None:
    admin = login("admin")
    admin.post("/admin/accounts", data={"email": "kacho@town.example.jp", "role": "unit-head",
                                         "units": "総務課"})
    head = _head(app)
    form = admin.get(f"/admin/accounts/{head.id}/units?lang=en").get_data(as_text=True)
    assert "総務部/総務課" in form  # the current units, written so that they read back
    refused = admin.post(f"/admin/accounts/{head.id}/units?lang=en", data={"units": "企画"})
    assert refused.status_code == 400 and _units(app, head) == [("総務部", "総務課")]
    done = admin.post(f"/admin/accounts/{head.id}/units", data={"units": "総務部/企画\n庶務係"})
    assert done.status_code == 302
    assert _units(app, head) == [("総務部", "企画"), ("総務部", "総務課", "庶務係")]
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == \
            "account_units_changed"


def test_only_unit_heads_have_a_units_page(app: Flask, login, make_user) -> None:
    admin = login("admin")
    boss = make_user("leadership")
    assert admin.get(f"/admin/accounts/{boss.id}/units").status_code == 404
