"""Administration pages: waves, invitations CSV, closing, thresholds and their public log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import db
from survey.models import AuditEvent, Invitation, Survey, Wave
from survey.org_settings import current_thresholds
from survey.waves.services import today


@pytest.fixture()
def admin(login: Callable[[str], FlaskClient]) -> FlaskClient:
    return login("admin")


def open_form(session: Session, label: str, opens: Any, closes: Any) -> dict[str, str]:
    survey = session.scalar(select(Survey).where(Survey.is_default.is_(True)))
    return {"label": label, "survey": str(survey.id), "opens": str(opens), "closes": str(closes)}


def test_waves_page_lists_waves_with_response_rate_only(
    admin: FlaskClient, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave("2026年4月")
    admin.post(links[0], data={})  # an empty answer stores nothing
    page = admin.get("/admin/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2026年4月" in body and "受付中" in body and "0 (0%)" in body
    assert f"/admin/waves/{wave_id}/invitations.csv" in body
    assert "誰が回答したか・していないかは、誰にも分かりません。" in body


def test_opening_a_wave_through_the_form(
    admin: FlaskClient, session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster()
    response = admin.post("/admin/waves", data=open_form(
        session, "2026-05", today(), today() + dt.timedelta(days=10)))
    assert response.status_code == 302
    page = admin.get("/admin/").get_data(as_text=True)
    assert "実施回「2026-05」を 30 人を対象に開始しました。" in page
    wave = session.scalar(select(Wave).where(Wave.label == "2026-05"))
    assert wave.invited_count == 30


@pytest.mark.parametrize(("opens", "closes", "message"), [
    (today(), today() - dt.timedelta(days=1), "締切日が開始日より前になっています。"),
    (today() - dt.timedelta(days=9), today() - dt.timedelta(days=1),
     "締切日が過去の日付になっています。"),
    ("2026-13-45", today(), "無効な日付型です。"),  # WTForms' own catalog: not a date
])
def test_invalid_dates_are_refused_with_a_message(
    admin: FlaskClient, session: Session, make_roster: Callable[..., int],
    opens: Any, closes: Any, message: str,
) -> None:
    make_roster()
    response = admin.post("/admin/waves", data=open_form(session, "bad", opens, closes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(Wave.id)) is None


def test_a_taken_label_is_refused(
    admin: FlaskClient, session: Session, open_wave: Callable[..., Any]
) -> None:
    open_wave("2026-04")
    response = admin.post("/admin/waves", data=open_form(
        session, "2026-04", today(), today() + dt.timedelta(days=3)))
    assert response.status_code == 400
    assert "同じ名称の実施回がすでにあります。" in response.get_data(as_text=True)


def test_invitations_csv_is_utf8_with_bom_and_lists_everyone_without_participation(
    app: Flask, admin: FlaskClient, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    with app.app_context():
        first_likert = db.session.get(Wave, wave_id).items[0].item_id
    assert admin.post(links[0], data={f"item_{first_likert}": "5"}).status_code == 200
    response = admin.get(f"/admin/waves/{wave_id}/invitations.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["email", "link"]
    assert len(rows) == 31 and all(len(row) == 2 for row in rows)
    assert {row[1].removeprefix("http://survey.example") for row in rows[1:]} == set(links)


def test_close_button_closes_the_wave(
    admin: FlaskClient, session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, _links = open_wave("2026-04")
    response = admin.post(f"/admin/waves/{wave_id}/close", data={"confirmed": "1"},
                          follow_redirects=True)
    assert response.status_code == 200
    assert "実施回「2026-04」を締め切りました。" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Wave, wave_id).closed
    assert session.scalar(select(Invitation.token_hash)) is None
    again = admin.post(f"/admin/waves/{wave_id}/close", data={"confirmed": "1"},
                       follow_redirects=True)
    assert "この実施回はすでに締め切られています。" in again.get_data(as_text=True)


def test_settings_refuse_k_below_three(admin: FlaskClient, session: Session) -> None:
    response = admin.post("/admin/settings", data={"k": "2", "k_comments": "10"})
    assert response.status_code == 400
    assert current_thresholds(session).k == 5


def test_settings_refuse_comment_threshold_below_k(admin: FlaskClient, session: Session) -> None:
    response = admin.post("/admin/settings", data={"k": "8", "k_comments": "6"})
    assert response.status_code == 400
    assert "自由記述の最小集計人数は、k 以上にしてください。" in response.get_data(as_text=True)
    thresholds = current_thresholds(session)
    assert (thresholds.k, thresholds.k_comments) == (5, 10)
    assert session.scalar(select(AuditEvent).where(
        AuditEvent.action == "threshold_changed")) is None


def test_a_valid_change_is_logged_publicly_and_spares_open_waves(
    app: Flask, admin: FlaskClient, session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    response = admin.post("/admin/settings", data={"k": "7", "k_comments": "12",
                                                   "confirmed": "1"})
    assert response.status_code == 302
    session.expire_all()
    thresholds = current_thresholds(session)
    assert (thresholds.k, thresholds.k_comments) == (7, 12)
    assert session.get(Wave, wave_id).min_group_size == 5
    public = app.test_client().get("/transparency").get_data(as_text=True)
    assert "今後の回の最小集計人数を 7 人（自由記述は 12 人）に変更しました。" in public
    assert "現在の最小集計人数は 7 人です。" in public
    assert "管理者" in public
    form = app.test_client().get(links[0]).get_data(as_text=True)
    assert "5 人以上のグループ" in form  # the open wave keeps the k it was opened with


# -- attribute labels ---------------------------------------------------------------------------

def label_form(*entries: tuple[str, str, str]) -> dict[str, str]:
    """The labels form as the settings page posts it: (name, ja, en) per attribute."""
    data: dict[str, str] = {}
    for index, (name, ja, en) in enumerate(entries):
        data.update({f"attributes-{index}-name": name, f"attributes-{index}-ja": ja,
                     f"attributes-{index}-en": en})
    return data


def stored(app: Flask) -> dict[str, Any]:
    """The stored labels, read in an app context of their own.

    (The ``session`` fixture's app context would be shared by the client's requests and keep
    the first request's language for the rest of the test.)
    """
    from survey.roster.labels import stored_labels

    with app.app_context():
        return {name: (pair.ja, pair.en) for name, pair in stored_labels(db.session).items()}


def label_events(app: Flask) -> list[tuple[bool, dict[str, Any]]]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "attribute_labels_changed"))
        return [(event.public, event.detail) for event in events]


def test_settings_page_lists_each_attribute_with_its_default_labels(
    admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    make_roster()
    ja = admin.get("/admin/settings").get_data(as_text=True)
    assert "属性の表示名" in ja
    assert "<legend>department (部署)</legend>" in ja
    assert "<legend>tenure_band (勤続年数)</legend>" in ja
    assert "既定: 部署" in ja and "既定: Department" in ja and "既定: Years of service" in ja
    assert 'name="attributes-0-name" type="hidden" value="department"' in ja
    en = admin.get("/admin/settings?lang=en").get_data(as_text=True)
    assert "<legend>department (Department)</legend>" in en
    assert "Label in Japanese" in en and "Default: 勤続年数" in en


def test_settings_page_without_a_roster_says_so(admin: FlaskClient) -> None:
    page = admin.get("/admin/settings?lang=en").get_data(as_text=True)
    assert "The roster has no group attributes yet." in page
    assert "/admin/settings/labels" not in page


def test_saving_labels_trims_them_shows_them_and_logs_the_change(
    app: Flask, admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    make_roster()
    response = admin.post("/admin/settings/labels", data=label_form(
        ("department", "  部局 ", "Bureau"), ("tenure_band", "", "")))
    assert response.status_code == 302
    assert stored(app) == {"department": ("部局", "Bureau")}
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "属性の表示名を保存しました。" in page
    assert "<legend>department (部局)</legend>" in page and 'value="部局"' in page
    assert label_events(app) == [
        (False, {"labels": {"department": {"ja": "部局", "en": "Bureau"}}})]
    assert "部局" not in app.test_client().get("/transparency").get_data(as_text=True)
    assert "表示名を変更した属性：department。" in admin.get("/admin/audit").get_data(as_text=True)


def test_an_unchanged_save_logs_nothing(
    app: Flask, admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    make_roster()
    response = admin.post("/admin/settings/labels", data=label_form(
        ("department", "", ""), ("tenure_band", " ", "")))
    assert response.status_code == 302
    assert stored(app) == {}
    assert label_events(app) == []


def test_a_label_over_forty_characters_is_refused_with_a_message(
    app: Flask, admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    make_roster()
    response = admin.post("/admin/settings/labels", data=label_form(
        ("department", "部局", "x" * 41), ("tenure_band", "あ" * 40, "")))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "表示名は 40 文字以内にしてください。" in body
    assert 'aria-invalid="true" id="attributes-0-en"' in body
    assert 'value="部局"' in body  # what was typed is kept for correcting
    assert 'name="k" required type="number" value="5"' in body  # the other form is still there
    assert stored(app) == {}
    english = admin.post("/admin/settings/labels?lang=en", data=label_form(
        ("department", "", "x" * 41)))
    assert "A label can have at most 40 characters." in english.get_data(as_text=True)


def test_labels_for_attributes_not_on_the_roster_are_ignored(
    app: Flask, admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    make_roster()
    response = admin.post("/admin/settings/labels", data=label_form(
        ("department", "部局", ""), ("no_such_column", "架空", "Made up")))
    assert response.status_code == 302
    assert stored(app) == {"department": ("部局", "")}


def test_labels_post_without_csrf_token_is_rejected(
    app: Flask, admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    make_roster()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = admin.post("/admin/settings/labels",
                             data=label_form(("department", "部局", "")))
        assert refused.status_code == 400
        assert stored(app) == {}
        page = admin.get("/admin/settings").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        accepted = admin.post("/admin/settings/labels", data={
            "csrf_token": token, **label_form(("department", "部局", ""))})
        assert accepted.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert stored(app) == {"department": ("部局", "")}


def test_unit_hierarchy_is_shown_with_labels(
    app: Flask, admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    from survey.org_settings import put_setting

    make_roster()
    with app.app_context():
        put_setting(db.session, "group_hierarchy", ["department", "tenure_band"])
        db.session.commit()
    admin.post("/admin/settings/labels", data=label_form(("tenure_band", "", "Tenure")))
    assert "部署 → 勤続年数" in admin.get("/admin/settings").get_data(as_text=True)
    assert "Department → Tenure" in admin.get("/admin/settings?lang=en").get_data(as_text=True)


def test_two_attributes_can_never_share_a_label(
    app: Flask, admin: FlaskClient, make_roster: Callable[..., int]
) -> None:
    make_roster()
    page = admin.post("/admin/settings/labels", data=label_form(
        ("department", "勤続年数", ""), ("tenure_band", "", "")))
    assert page.status_code == 400
    assert ("department と tenure_band がどちらも「勤続年数」と表示されます。"
            in page.get_data(as_text=True))
    assert stored(app) == {} and label_events(app) == []


def test_downloading_the_invitation_links_is_logged_publicly(
    app: Flask, admin: FlaskClient, open_wave: Callable[..., Any],
) -> None:
    wave_id, _links = open_wave(label="2026-05")
    assert admin.get(f"/admin/waves/{wave_id}/invitations.csv").status_code == 200
    with app.app_context():
        events = [(e.action, e.actor_role, e.actor_id is not None, e.detail, e.public)
                  for e in db.session.scalars(select(AuditEvent))
                  if e.action == "invitation_links_released"]
    assert events == [("invitation_links_released", "admin", True,
                       {"wave": "2026-05", "count": 30, "how": "csv"}, True)]
    public = app.test_client().get("/transparency").get_data(as_text=True)
    assert "2026-05 回の招待リンクがダウンロードされました（30 件）。" in public
    english = app.test_client().get("/transparency?lang=en").get_data(as_text=True)
    assert "Invitation links of round 2026-05 downloaded (30 links)." in english
    assert "2026-05 回の招待リンクがダウンロードされました" in admin.get(
        "/admin/audit").get_data(as_text=True)


def test_saving_the_thresholds_unchanged_writes_no_public_entry(
    app: Flask, admin: FlaskClient, session: Session,
) -> None:
    response = admin.post("/admin/settings", data={"k": "5", "k_comments": "10"})
    assert response.status_code == 302
    assert "変更はありませんでした。" in admin.get("/admin/settings").get_data(as_text=True)
    session.expire_all()
    assert [e.action for e in session.scalars(select(AuditEvent))] == []
    public = app.test_client().get("/transparency").get_data(as_text=True)
    assert "最小集計人数を" not in public


def test_the_preview_never_keeps_the_form_key_in_its_address(login, open_wave) -> None:
    """The preview button sends the open form by GET; its CSRF key must not stay in the URL."""
    open_wave()
    client = login("admin")
    reply = client.get("/admin/waves/preview?csrf_token=secret-key&chosen=1&attributes="
                       "tenure_band&concurrent=main")
    assert reply.status_code == 302
    assert "csrf_token" not in reply.location and "attributes=tenure_band" in reply.location
    page = client.get(reply.location)
    assert page.status_code == 200 and "secret-key" not in page.get_data(as_text=True)
