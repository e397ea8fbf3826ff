"""Report notices against a real SMTP server: when a wave closes, every leadership and unit-head
account gets one mail with a link to the report — never a figure — in its language, whichever
way the wave was closed and however often the schedule runs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from survey.answering.services import submit
from survey.auth.services import create_user, set_active
from survey.db import begin_write, db
from survey.mail.models import ReportNotice
from survey.mail.notices import queue_report_notices
from survey.models import AuditEvent, User, Wave
from survey.waves.services import invitation_links
from tests.conftest import PASSWORD, TOKEN_KEY


def _accounts(app: Flask) -> None:
    """Leadership ×2 (one deactivated), a unit head, HR and an admin."""
    with app.app_context():
        for email, role in (("boss@town.example.jp", "leadership"),
                            ("kacho@town.example.jp", "unit-head"),
                            ("gone@town.example.jp", "leadership"),
                            ("jinji@town.example.jp", "hr"), ("root@town.example.jp", "admin")):
            create_user(db.session, email, role, PASSWORD)
        db.session.flush()
        user = db.session.scalar(select(User).where(User.email == "gone@town.example.jp"))
        set_active(db.session, user, False, actor_id=0)
        db.session.commit()


def _sign_in(app: Flask, email: str, lang: str = "ja") -> Any:
    client = app.test_client()
    response = client.post(f"/login?lang={lang}", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _answer(app: Flask, wave_id: int, count: int) -> None:
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        item = wave.items[0].item.id
        for _email, link in invitation_links(db.session, wave, TOKEN_KEY, "http://x")[:count]:
            begin_write(db.session)
            submit(db.session, link.rsplit("/", 1)[1], {item: 4})
            db.session.commit()


def _run(app: Flask, *args: str) -> list[str]:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def _notices(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReportNotice)) or 0


def test_closing_on_the_admin_page_tells_each_reader_once_in_their_language(
    mail_app: Flask, smtp: Any, open_wave: Any,
) -> None:
    wave_id, _links = open_wave("2026-04")
    _accounts(mail_app)
    _sign_in(mail_app, "kacho@town.example.jp", lang="en")  # the language is remembered
    _answer(mail_app, wave_id, 7)
    admin = _sign_in(mail_app, "root@town.example.jp")
    page = admin.post(f"/admin/waves/{wave_id}/close?lang=en", data={"confirmed": "1"},
                      follow_redirects=True).get_data(as_text=True)
    assert "2 readers are told by e-mail that the report is ready." in page
    assert smtp.messages == []  # closing only queues
    assert _run(mail_app, "mail", "work", "--once") == ["2 sent, 0 failed, 0 left"]
    mails = {m["To"]: m for m in smtp.messages}
    assert set(mails) == {"boss@town.example.jp", "kacho@town.example.jp"}
    assert mails["boss@town.example.jp"]["Subject"] == "naranu: 2026-04 の結果が公開されました"
    assert mails["kacho@town.example.jp"]["Subject"] == (
        "naranu: the results of round 2026-04 are ready")
    quarter = re.search(r"/reports/(FY\d{4}Q[1-4])", mails["boss@town.example.jp"].get_content())
    assert quarter is not None
    for mail in mails.values():
        body = mail.get_content()
        assert "http://survey.example/reports/" + quarter.group(1) in body
        # Never a figure: with the link and the round's label taken out, no digit is left.
        rest = body.replace("http://survey.example/reports/" + quarter.group(1), "").replace(
            "2026-04", "")
        assert not re.search(r"\d", rest), rest
    # The schedule's notify action, or a second call, adds nobody.
    with mail_app.app_context():
        begin_write(db.session)
        assert queue_report_notices(db.session, db.session.get(Wave, wave_id)) == 0
        db.session.commit()
    assert _run(mail_app, "mail", "work", "--once") == ["0 sent, 0 failed, 0 left"]
    assert len(smtp.messages) == 2


def test_wave_close_on_the_command_line_queues_the_notices_and_retries_a_refusal(
    mail_app: Flask, smtp: Any, open_wave: Any,
) -> None:
    wave_id, _links = open_wave("2026-04")
    _accounts(mail_app)
    assert _run(mail_app, "wave", "close", str(wave_id)) == [
        f"closed wave {wave_id} (2026-04): 0 responses", "2 report notices queued"]
    smtp.temporary["boss@town.example.jp"] = 1  # 451 once, then accepted
    assert _run(mail_app, "mail", "work", "--once") == ["2 sent, 0 failed, 0 left"]
    assert smtp.recipients() == {"boss@town.example.jp": 1, "kacho@town.example.jp": 1}
    with mail_app.app_context():
        states = db.session.execute(select(ReportNotice.status, ReportNotice.attempts,
                                           ReportNotice.not_before)).all()
        assert states == [("sent", 0, None)] * 2
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "report_notices_queued"))
        assert event.detail == {"wave": "2026-04", "n": 2} and not event.public


def test_a_reader_invited_after_the_close_is_told_by_the_next_notify_only(
    mail_app: Flask, smtp: Any, open_wave: Any,
) -> None:
    wave_id, _links = open_wave("2026-04")
    _accounts(mail_app)
    _run(mail_app, "wave", "close", str(wave_id))
    with mail_app.app_context():
        begin_write(db.session)
        create_user(db.session, "new@town.example.jp", "unit-head", PASSWORD)
        wave = db.session.get(Wave, wave_id)
        assert queue_report_notices(db.session, wave) == 1
        assert queue_report_notices(db.session, wave) == 0
        db.session.commit()
    _run(mail_app, "mail", "work", "--once")
    assert sum(smtp.recipients().values()) == 3


def test_an_account_deactivated_before_sending_is_not_mailed(
    mail_app: Flask, smtp: Any, open_wave: Any,
) -> None:
    wave_id, _links = open_wave("2026-04")
    _accounts(mail_app)
    _run(mail_app, "wave", "close", str(wave_id))
    with mail_app.app_context():
        begin_write(db.session)
        boss = db.session.scalar(select(User).where(User.email == "boss@town.example.jp"))
        set_active(db.session, boss, False, actor_id=0)
        db.session.commit()
    assert _run(mail_app, "mail", "work", "--once") == ["1 sent, 1 failed, 0 left"]
    assert set(smtp.recipients()) == {"kacho@town.example.jp"}


def test_without_a_mail_server_closing_queues_nothing(app: Flask, open_wave: Any) -> None:
    wave_id, _links = open_wave("2026-04")
    _accounts(app)
    assert _run(app, "wave", "close", str(wave_id)) == [
        f"closed wave {wave_id} (2026-04): 0 responses"]
    assert _notices(app) == 0


def test_the_transparency_page_shows_when_results_were_published(
    app: Flask, open_wave: Any, make_roster: Any,
) -> None:
    closed, _links = open_wave("2026-04")
    open_wave("2026-05", roster=False)
    before = dt.datetime.now(dt.UTC)
    _run(app, "wave", "close", str(closed))
    with app.app_context():
        published = db.session.get(Wave, closed).results_published_at
        assert published is not None
        assert before <= published.replace(tzinfo=published.tzinfo or dt.UTC) <= dt.datetime.now(
            dt.UTC)
    page = app.test_client().get("/transparency?lang=en").get_data(as_text=True)
    section = page.split("Results published</h2>")[1].split("<h2>")[0]
    assert "2026-04" in section and "2026-05" not in section
    japanese = app.test_client().get("/transparency?lang=ja").get_data(as_text=True)
    assert "結果の公開日" in japanese
