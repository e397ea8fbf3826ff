"""The mail queue: what it stores (never a token or a link), who it queues, what close forgets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, select, text

from survey.db import db
from survey.mail.models import MailBatch, MailKind, MailMessage
from survey.mail.queue import queue_mail
from survey.models import Wave
from survey.waves.services import invitation_links
from tests.conftest import PASSWORD, TOKEN_KEY, roster_rows


def test_the_queue_has_no_column_for_a_token_link_or_time_of_sending(app) -> None:
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("mail_message")}
    assert columns == {"batch_id", "person_id", "status", "attempts", "not_before"}


def test_no_token_or_link_is_stored_anywhere_after_queuing_and_sending(
    mail_app, smtp, open_wave
) -> None:
    wave_id, paths = open_wave(label="q-1")
    runner = mail_app.test_cli_runner()
    runner.invoke(args=["wave", "send", str(wave_id)])
    runner.invoke(args=["wave", "send", str(wave_id), "--reminders"])
    assert runner.invoke(args=["mail", "work", "--once"]).exit_code == 0
    tokens = [path.rsplit("/", 1)[1] for path in paths]
    with mail_app.app_context():
        for table in ("mail_batch", "mail_message"):
            dump = repr(db.session.execute(text(f"SELECT * FROM {table}")).all())
            assert not any(token in dump for token in tokens)
            assert "/s/" not in dump


def test_people_without_an_address_are_not_queued(app, make_roster) -> None:
    rows = roster_rows(8)
    for row in rows[:3]:
        row["email"] = ""
    make_roster(rows)
    from survey.org_settings import current_thresholds, group_hierarchy
    from survey.principles.services import survey_by_name
    from survey.waves.services import WavePlan, open_wave, today

    with app.app_context():
        wave = open_wave(db.session, survey_by_name(db.session, None),
                         WavePlan("q-2", today(), today() + dt.timedelta(days=7)),
                         current_thresholds(db.session), group_hierarchy(db.session), TOKEN_KEY)
        assert queue_mail(db.session, wave, MailKind.INVITATION) == 5
        db.session.rollback()


def test_closing_a_wave_forgets_its_mail_rows(mail_app, smtp, open_wave) -> None:
    wave_id, _paths = open_wave(label="q-3")
    runner = mail_app.test_cli_runner()
    runner.invoke(args=["wave", "send", str(wave_id)])
    runner.invoke(args=["mail", "work", "--once"])
    assert runner.invoke(args=["wave", "close", str(wave_id)]).exit_code == 0
    with mail_app.app_context():
        assert db.session.scalars(select(MailMessage)).all() == []
        assert db.session.scalars(select(MailBatch)).all() == []


def test_a_closed_wave_cannot_be_mailed(mail_app, smtp, open_wave) -> None:
    wave_id, _paths = open_wave(label="q-4")
    runner = mail_app.test_cli_runner()
    runner.invoke(args=["wave", "close", str(wave_id)])
    result = runner.invoke(args=["wave", "send", str(wave_id)])
    assert result.exit_code == 1
    assert "closed" in result.output


def test_the_admin_page_shows_progress_as_counts(mail_app, smtp, open_wave, make_user) -> None:
    wave_id, _paths = open_wave(label="q-5")
    client = mail_app.test_client()
    client.post("/login", data={"email": make_user("admin").email, "password": PASSWORD})
    response = client.post(f"/admin/waves/{wave_id}/send?lang=en", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "30 invitations queued" in response.get_data(as_text=True)
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "0 sent, 0 failed, 30 waiting" in page
    mail_app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "30 sent, 0 failed, 0 waiting" in page
    with mail_app.app_context():
        wave = db.session.get(Wave, wave_id)
        assert all(address not in page for address, _link in invitation_links(
            db.session, wave, TOKEN_KEY, mail_app.config["PUBLIC_BASE_URL"]))


def test_without_a_mail_server_the_page_offers_no_mail_button(app, open_wave, login) -> None:
    open_wave(label="q-6")
    page = login("admin").get("/admin/?lang=en").get_data(as_text=True)
    assert "Send by e-mail" not in page
    assert "No mail server is configured" in page
