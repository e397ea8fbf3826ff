"""The mail worker against a real SMTP server (aiosmtpd on loopback): rate, retries, failures."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import select

from survey.answering.services import submit
from survey.db import begin_write, db
from survey.mail.models import MailMessage
from survey.models import Wave
from survey.waves.services import invitation_links
from tests.conftest import TOKEN_KEY
from tests.smtp_server import free_port


def _open(app: Flask, make_roster: Any, count: int, label: str = "mail-1") -> str:
    make_roster(count=count)
    result = app.test_cli_runner().invoke(args=["wave", "open", "--label", label])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _links(app: Flask, wave_id: int) -> dict[str, str]:
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        return dict(invitation_links(db.session, wave, TOKEN_KEY, app.config["PUBLIC_BASE_URL"]))


def _statuses(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(MailMessage.status)))


def test_send_only_queues_and_the_worker_mails_each_invitee_their_own_link(
    mail_app, smtp, make_roster
) -> None:
    wave_id = _open(mail_app, make_roster, 12)
    queued = _run(mail_app, "wave", "send", wave_id)
    assert queued.exit_code == 0, queued.output
    assert queued.output.strip() == "12 invitations queued"
    assert smtp.messages == []  # queuing sends nothing
    result = _run(mail_app, "mail", "work", "--once")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "12 sent, 0 failed, 0 left"
    expected = _links(mail_app, int(wave_id))
    assert smtp.recipients() == dict.fromkeys(expected, 1)
    for message in smtp.messages:
        body = message.get_content()
        assert expected[message["To"]] in body
        assert "匿名" in body and "anonymous" not in message["Subject"].lower()
    assert _statuses(mail_app) == ["sent"] * 12


def test_sending_twice_queues_nobody_twice(mail_app, smtp, make_roster) -> None:
    wave_id = _open(mail_app, make_roster, 6)
    _run(mail_app, "wave", "send", wave_id)
    assert _run(mail_app, "wave", "send", wave_id).output.strip() == "0 invitations queued"
    _run(mail_app, "mail", "work", "--once")
    assert _run(mail_app, "wave", "send", wave_id).output.strip() == "0 invitations queued"
    assert _run(mail_app, "mail", "work", "--once").output.strip() == "0 sent, 0 failed, 0 left"
    assert sum(smtp.recipients().values()) == 6


def test_reminders_reach_only_unused_links_and_the_queue_does_not_say_who(
    mail_app, smtp, make_roster
) -> None:
    wave_id = int(_open(mail_app, make_roster, 10))
    links = list(_links(mail_app, wave_id).items())
    with mail_app.app_context():
        item = db.session.get(Wave, wave_id).items[0].item.id
        for _email, link in links[:4]:
            begin_write(db.session)
            submit(db.session, link.rsplit("/", 1)[1], {item: 4})
            db.session.commit()
    assert _run(mail_app, "wave", "send", str(wave_id), "--reminders").output.strip() == (
        "10 reminders queued")
    result = _run(mail_app, "mail", "work", "--once")
    assert result.output.strip() == "10 sent, 0 failed, 0 left"  # handled, mailed or not
    assert set(smtp.recipients()) == {address for address, _link in links[4:]}
    assert all("Reminder" in m["Subject"] for m in smtp.messages)
    with mail_app.app_context():
        rows = db.session.execute(select(MailMessage.status, MailMessage.attempts,
                                         MailMessage.not_before)).all()
    assert set(rows) == {("sent", 0, None)}  # used and unused links look the same


def test_reminders_wait_for_the_previous_round(mail_app, smtp, make_roster) -> None:
    wave_id = _open(mail_app, make_roster, 6)
    _run(mail_app, "wave", "send", wave_id, "--reminders")
    again = _run(mail_app, "wave", "send", wave_id, "--reminders")
    assert again.exit_code == 1
    assert "previous reminders are still being sent" in again.output


def test_temporary_refusals_are_retried_and_final_ones_fail(mail_app, smtp, make_roster) -> None:
    wave_id = int(_open(mail_app, make_roster, 8))
    addresses = sorted(_links(mail_app, wave_id))
    smtp.temporary[addresses[0]] = 2
    smtp.permanent.add(addresses[1])
    _run(mail_app, "wave", "send", str(wave_id))
    result = _run(mail_app, "mail", "work", "--once")
    assert result.output.strip() == "7 sent, 1 failed, 0 left"
    assert smtp.recipients()[addresses[0]] == 1
    assert addresses[1] not in smtp.recipients()
    assert _statuses(mail_app) == ["failed"] + ["sent"] * 7


def test_a_recipient_refused_every_time_fails_after_the_last_attempt(
    make_app, smtp, make_roster
) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_RATE=0,
                   MAIL_RETRY_SECONDS=0.01, MAIL_MAX_ATTEMPTS=3)
    wave_id = int(_open(app, make_roster, 6))
    address = sorted(_links(app, wave_id))[0]
    smtp.temporary[address] = 3
    _run(app, "wave", "send", str(wave_id))
    assert _run(app, "mail", "work", "--once").output.strip() == "5 sent, 1 failed, 0 left"
    assert smtp.temporary[address] == 0  # it was asked exactly three times


def test_an_unreachable_server_blames_no_message(make_app, make_roster) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_RATE=0)
    wave_id = _open(app, make_roster, 6)
    _run(app, "wave", "send", wave_id)
    result = _run(app, "mail", "work", "--once")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: 0 sent, 0 failed, 6 left: the mail server is not available "
        "(ConnectionRefusedError)"]
    with app.app_context():
        assert set(db.session.execute(select(MailMessage.status, MailMessage.attempts))) == {
            ("pending", 0)}


def test_the_worker_keeps_to_the_configured_rate(make_app, smtp, make_roster) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_RATE=20)
    wave_id = _open(app, make_roster, 11)
    _run(app, "wave", "send", wave_id)
    started = time.monotonic()
    assert _run(app, "mail", "work", "--once").output.strip() == "11 sent, 0 failed, 0 left"
    assert time.monotonic() - started >= 10 / 20


def test_without_a_mail_server_nothing_is_queued_or_sent(app, make_roster) -> None:
    wave_id = _open(app, make_roster, 6)
    for args in (("wave", "send", wave_id), ("mail", "work", "--once")):
        result = _run(app, *args)
        assert result.exit_code == 1
        assert result.output.strip() == "Error: mail is not configured (set NARANU_MAIL_SERVER)"
    assert _statuses(app) == []
