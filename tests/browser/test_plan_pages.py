"""A unit head on a phone keeps their unit's action plan, in both languages: signs in, lands on
their reports, opens the plans, adds one for their 課, records that it started.  Every page fits
the phone's width and passes axe-core without a serious or critical finding; screenshots go
to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from survey.db import db
from tests.browser.test_unit_pages import PHONE, axe_findings, sideways_overflow
from tests.conftest import roster_rows

WORDS = {
    "ja": {"new": "新しい計画", "save": "保存", "record": "進捗を記録", "in_progress": "実施中",
           "planned": "予定"},
    "en": {"new": "New plan", "save": "Save", "record": "Record update",
           "in_progress": "In progress", "planned": "Planned"},
}


@pytest.fixture(scope="module")
def town(live_server: Any) -> Any:
    """The roster with 課 as its unit level."""
    from survey.roster.services import import_roster

    with live_server.app.app_context():
        import_roster(db.session, roster_rows(30), hierarchy=["department"])
        db.session.commit()
    return live_server


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_unit_head_on_a_phone_adds_a_plan_and_records_progress(
    town: Any, page_factory: Any, screenshot: Any, lang: str,
) -> None:
    from sqlalchemy import select

    from survey.models import User
    from survey.units.services import assign_units

    email, _password = town.create_user("unit-head", f"kacho-{lang}@browser.example.jp")
    with town.app.app_context():
        assign_units(db.session, db.session.scalar(select(User).where(User.email == email)),
                     [("総務課",)])
        db.session.commit()
    words = WORDS[lang]
    page = page_factory(*PHONE, locale="ja-JP" if lang == "ja" else "en-US")
    page.goto(f"{town.url}/?lang={lang}")
    town.sign_in(page, "unit-head")
    page.wait_for_url("**/reports/")  # a unit head's home: their reports (fails on timeout)
    assert sideways_overflow(page) == 0 and axe_findings(page) == []
    screenshot(page, f"unit-head-reports-phone-{lang}")
    page.goto(f"{town.url}/plans")
    page.get_by_role("link", name=words["new"]).click()
    assert sideways_overflow(page) == 0
    assert page.locator("select[name=unit] option").all_inner_texts() == ["総務課"]
    page.locator("input[name=principles]").first.check()
    page.fill("input[name=title]", f"朝会で小さな失敗を共有する ({lang})")
    page.fill("input[name=owner]", "課長")
    page.fill("input[name=due_on]", "2026-12-25")
    screenshot(page, f"plan-new-phone-{lang}")
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_load_state()
    assert f"朝会で小さな失敗を共有する ({lang})" in page.locator("h1").inner_text()
    assert words["planned"] in page.locator("dl.facts").inner_text()
    page.select_option("select[name=status]", "in_progress")
    page.fill("textarea[name=note]", "毎朝5分")
    page.get_by_role("button", name=words["record"]).click()
    page.wait_for_load_state()
    assert words["in_progress"] in page.locator("dl.facts").inner_text()
    assert "毎朝5分" in page.locator("ol.history").inner_text()
    assert sideways_overflow(page) == 0
    assert axe_findings(page) == []
    screenshot(page, f"plan-show-phone-{lang}")
    page.goto(f"{town.url}/plans")
    assert sideways_overflow(page) == 0 and axe_findings(page) == []
    screenshot(page, f"plan-list-phone-{lang}")
