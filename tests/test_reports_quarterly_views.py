"""Report views: access by role, the page in both languages, PDF, JSON, rounds, plan markers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.db import db
from tests.conftest import TOKEN_KEY

QUARTER = "FY2026Q3"  # demo waves close mid-quarter up to today (2026-11-27)


@pytest.fixture()
def seeded(app: Flask) -> Flask:
    """Three closed demo waves (60 staff: some departments fall below k)."""
    from survey.demo import DemoSpec, seed_demo

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=60, waves=3, seed=1), TOKEN_KEY)
    return app


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get(f"/reports/{QUARTER}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["hr"])
def test_other_roles_are_refused(login: Callable[[str], FlaskClient], role: str) -> None:
    client = login(role)
    for path in ("/reports/", f"/reports/{QUARTER}", f"/reports/{QUARTER}.pdf",
                 f"/api/v1/reports/{QUARTER}", "/reports/waves/1"):
        assert client.get(path).status_code == 403, path


def test_report_page_in_japanese_and_english(seeded: Flask,
                                             login: Callable[[str], FlaskClient]) -> None:
    client = login("leadership")
    ja = client.get(f"/reports/{QUARTER}").get_data(as_text=True)
    for heading in ("要点", "回答状況", "行動指針ごとの推移", "今四半期の回答分布",
                    "グループ × 行動指針", "関連要因と内的一貫性", "自由記述", "方法"):
        assert heading in ja
    assert ja.index("要点") < ja.index("回答状況") < ja.index("方法")
    assert 'role="img"' in ja and "<details" in ja
    # charts need no script; the one script (scroll regions) is a file, as the CSP requires
    assert re.findall(r"<script[^>]*>", ja) == [
        '<script src="/static/scroll-regions.js" defer></script>'[:-len("</script>")]]
    en = client.get(f"/reports/{QUARTER}?lang=en&by=team").get_data(as_text=True)
    assert "Findings" in en and "Method" in en
    assert " × " in en and "department=" not in en  # groups named by their values (課 × 係)


def test_favourable_says_which_share_it_is(seeded: Flask,
                                          login: Callable[[str], FlaskClient]) -> None:
    # The principle table's share is of people whose principle average is >= 4, not of
    # 4-5 answers; its column and the methods note say so, in both languages, and the
    # JSON defines both shares.
    client = login("leadership")
    ja = client.get(f"/reports/{QUARTER}").get_data(as_text=True)
    en = client.get(f"/reports/{QUARTER}?lang=en").get_data(as_text=True)
    assert ">好意的な人（平均4以上）</th>" in ja and ">好意的回答</th>" not in ja
    assert "回答の平均が4以上の人の割合" in ja and "4〜5の回答の割合" in ja
    assert ">Favourable people (average ≥ 4)</th>" in en and ">Favourable</th>" not in en
    assert "share of people whose average over the principle's questions is 4 or more" in en
    assert "Favourable answers (questions): share of answers 4–5" in en
    definitions = client.get(f"/api/v1/reports/{QUARTER}").get_json()["definitions"]
    assert definitions["favourable"].keys() == {"item", "principle"}
    assert "4 or more" in definitions["favourable"]["principle"]


@pytest.mark.parametrize("code, words", [
    ("below_k", "fewer answers than the minimum group size"),
    ("complementary", "hidden so that a smaller group cannot be worked out by subtraction"),
    ("rolled_up", "counted in the larger unit"),
    ("membership_change", "membership changed too much to compare"),
])
def test_suppressed_cell_shows_its_reason(app: Flask, code: str, words: str) -> None:
    from flask import render_template_string

    from reports import disclosure
    from reports.figures import GroupFigure
    from reports.quarterly.page import heat_style
    from reports.quarterly.wording import reason_text, verdict_word

    decision = disclosure.GroupDecision((("department", "建設課"),), (),
                                        disclosure.Status.SUPPRESSED, disclosure.Reason(code),
                                        "hidden")
    template = ('{% from "reports/_chart.html" import heat_cell with context %}'
                "{{ heat_cell(fig, None) }}")
    with app.test_request_context("/?lang=en"):
        html = render_template_string(template, fig=GroupFigure(decision), reason_text=reason_text,
                                      verdict_word=verdict_word, heat_style=heat_style)
    assert f"suppressed ({words})" in html and "suppressed-cell" in html


def test_json_api_matches_the_report(seeded: Flask, login: Callable[[str], FlaskClient]) -> None:
    from reports.quarterly.serialise import report_json
    from reports.quarterly.services import quarter_report

    data = login("leadership").get(f"/api/v1/reports/{QUARTER}").get_json()
    with seeded.app_context():
        expected = report_json(quarter_report(db.session, QUARTER))
    assert data["quarter"] == QUARTER
    assert data["principles"].keys() == expected["principles"].keys()
    code = next(iter(expected["principles"]))
    assert data["principles"][code]["current"] == expected["principles"][code]["current"]


def test_pdf_download(seeded: Flask, login: Callable[[str], FlaskClient]) -> None:
    response = login("leadership").get(f"/reports/{QUARTER}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data[:5] == b"%PDF-"
    assert f"naranu-{QUARTER}.pdf" in response.headers["Content-Disposition"]


def test_home_lists_quarters_with_arrows_only_for_changes(
        seeded: Flask, login: Callable[[str], FlaskClient]) -> None:
    from reports.quarterly.services import quarter_report, quarters_with_waves

    page = login("leadership").get("/reports/").get_data(as_text=True)
    with seeded.app_context():
        labels = [q.label for q in quarters_with_waves(db.session)]
        changes = sum(1 for q in labels for s in quarter_report(db.session, q).sections.values()
                      if s.change and s.change.verdict and s.change.verdict.verdict == "change")
    assert [page.index(q) for q in labels] == sorted(page.index(q) for q in labels)
    assert page.count('class="arrow') == changes


def test_wave_page_shows_rate_while_open_and_no_figures(
        login: Callable[[str], FlaskClient], open_wave: Callable[..., tuple]) -> None:
    wave_id, links = open_wave()
    client = login("leadership")
    for link in links[:6]:
        client.get(link)
    page = client.get(f"/reports/waves/{wave_id}?lang=en").get_data(as_text=True)
    assert "Response rate" in page and "Figures are shown only after the round closes." in page
    assert client.get("/reports/waves/9999").status_code == 404


def test_leadership_reaches_an_open_round_of_a_quarter_that_has_a_closed_one(
        seeded: Flask, login: Callable[[str], FlaskClient],
        open_wave: Callable[..., tuple]) -> None:
    from reports.quarters import quarter_of
    from survey.waves.services import today

    wave_id, _links = open_wave(label="open-in-quarter", roster=False)
    quarter = quarter_of(today()).label
    client = login("leadership")
    page = client.get(f"/reports/{quarter}?lang=en").get_data(as_text=True)
    assert "This quarter has no closed round yet" not in page  # it has one
    assert f'href="/reports/waves/{wave_id}"' in page
    assert f'href="/reports/waves/{wave_id}"' in client.get("/reports/").get_data(as_text=True)


def test_organisation_plans_mark_the_report_and_unit_plans_do_not(
        seeded: Flask, login: Callable[[str], FlaskClient]) -> None:
    """The organisation's trend charts carry the organisation's own plans, for the principles
    they name; a unit's plan marks that unit's page, not the organisation's."""
    client = login("leadership")
    for unit, title in (("[]", "前例なし提案の試行枠を新設"), ('["総務課"]', "総務課だけの試行")):
        response = client.post("/plans/new?lang=en", data={
            "unit": unit, "principles": ["no-excuses"], "title": title, "owner": "課長",
            "starts_on": "2026-10-01"})
        assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/api/v1/reports/{QUARTER}").get_json()
    events = page["principles"]["no-excuses"]["trend"]["interventions"]
    assert [(e["text"], e["status"]) for e in events] == [("前例なし提案の試行枠を新設", "planned")]
    assert page["principles"]["no-blame"]["trend"]["interventions"] == []


def test_the_old_actions_page_is_gone(login: Callable[[str], FlaskClient]) -> None:
    assert login("leadership").get("/reports/interventions").status_code == 404


def test_open_wave_rate_below_k_is_suppressed_for_leadership_and_admin(
    app: Flask, open_wave: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    """A live count of 1..k-1 answers is a figure about fewer than k people: never shown."""
    from reports.quarters import quarter_of
    from survey.waves.services import today
    from tests.conftest import PASSWORD

    _wave_id, links = open_wave(label="live-rate")
    staff = app.test_client()
    for link in links[:3]:
        html = staff.get(link).get_data(as_text=True)
        item = html.split('name="item_', 1)[1].split('"', 1)[0]
        assert staff.post(link, data={f"item_{item}": "4"}).status_code == 200
    leader, admin = app.test_client(), app.test_client()
    for client, role in ((leader, "leadership"), (admin, "admin")):
        user = make_user(role)
        client.post("/login", data={"email": user.email, "password": PASSWORD})
    quarter = quarter_of(today()).label
    data = leader.get(f"/api/v1/reports/{quarter}").get_json()
    live = next(entry for entry in data["participation"] if entry["wave"] == "live-rate")
    assert live["suppressed"] == "below_k" and "n" not in live and "rate" not in live
    page = admin.get("/admin/?lang=en").get_data(as_text=True)
    assert "fewer than 5" in page and ">3 (" not in page


def _set_labels(app: Flask, **labels: tuple[str, str]) -> None:
    """Store administrators' labels (ja, en) by attribute name, as the settings page does."""
    from survey.roster.labels import LabelPair, save_labels

    with app.app_context():
        save_labels(db.session, {name: LabelPair(ja, en) for name, (ja, en) in labels.items()},
                    known=labels)
        db.session.commit()


def _options(page: str) -> list[tuple[str, bool, str]]:
    """(value, selected, text) of every option of the breakdown selector."""
    import re

    found = re.findall(r'<option value="([^"]*)" ?(selected)?>([^<]*)</option>', page)
    return [(value, bool(selected), text) for value, selected, text in found]


def test_breakdown_selector_shows_labels_and_keeps_raw_values(
        seeded: Flask, login: Callable[[str], FlaskClient]) -> None:
    client = login("leadership")
    ja = client.get(f"/reports/{QUARTER}?by=tenure_band").get_data(as_text=True)
    assert _options(ja) == [("department", False, "部署"), ("team", False, "係"),
                            ("tenure_band", True, "勤続年数")]
    en = client.get(f"/reports/{QUARTER}?lang=en").get_data(as_text=True)
    assert _options(en) == [("department", True, "Department"), ("team", False, "Team"),
                            ("tenure_band", False, "Years of service")]


def test_breakdown_selector_uses_the_administrators_labels(
        seeded: Flask, login: Callable[[str], FlaskClient]) -> None:
    _set_labels(seeded, department=("部局", ""), tenure_band=("", "Tenure"))
    client = login("leadership")
    ja = client.get(f"/reports/{QUARTER}").get_data(as_text=True)
    assert _options(ja) == [("department", True, "部局"), ("team", False, "係"),
                            ("tenure_band", False, "勤続年数")]
    en = client.get(f"/reports/{QUARTER}?lang=en&by=tenure_band").get_data(as_text=True)
    assert _options(en) == [("department", False, "Department"), ("team", False, "Team"),
                            ("tenure_band", True, "Tenure")]
    data = client.get(f"/api/v1/reports/{QUARTER}?by=tenure_band").get_json()
    assert data["breakdown"] == "tenure_band"  # the API keeps raw names
    assert all(g["group"].startswith("tenure_band=") for g in data["group_participation"])


def test_wave_page_headings_show_attribute_labels(
        login: Callable[[str], FlaskClient], open_wave: Callable[..., tuple], app: Flask) -> None:
    wave_id, _links = open_wave(secondary=["tenure_band"])
    _set_labels(app, tenure_band=("勤続区分", ""))
    client = login("leadership")
    ja = client.get(f"/reports/waves/{wave_id}").get_data(as_text=True)
    assert "<h3>部署</h3>" in ja and "<h3>勤続区分</h3>" in ja
    en = client.get(f"/reports/waves/{wave_id}?lang=en").get_data(as_text=True)
    assert "<h3>Department</h3>" in en and "<h3>Years of service</h3>" in en
    assert "<h3>department</h3>" not in en and "<h3>tenure_band</h3>" not in en



def test_each_marked_plan_reads_with_its_before_after_line(
        seeded: Flask, login: Callable[[str], FlaskClient]) -> None:
    """Under the chart of a principle the plan names: its action and the level change with its
    interval, or why there is none."""
    client = login("leadership")
    response = client.post("/plans/new?lang=en", data={
        "unit": "[]", "principles": ["no-excuses"], "title": "前例なし提案の試行枠を新設",
        "owner": "課長", "starts_on": "2026-10-01"})
    assert response.status_code == 302
    html = client.get(f"/reports/{QUARTER}?lang=en").get_data(as_text=True)
    lines = re.findall(r'<p class="hint">[^<]*前例なし提案の試行枠を新設:\s*([^<]+?)\s*</p>', html)
    assert len(lines) == 1 and lines[0]
