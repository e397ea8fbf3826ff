"""Invitations and reminders go out over a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from survey.answering.services import submit
from survey.db import begin_write, db
from survey.models import Wave
from survey.waves.mail import MailError, send_invitations
from survey.waves.services import invitation_links, reminder_links
from tests.conftest import TOKEN_KEY


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture()
def mail_app(make_app: Callable[..., Flask], smtp: tuple[Inbox, int]) -> Flask:
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp[1], MAIL_FROM="survey@town.example.jp")


def _links(app: Flask, wave_id: int, pick: Callable[..., Any]) -> list[tuple[str, str]]:
    wave = db.session.get(Wave, wave_id)
    return pick(db.session, wave, TOKEN_KEY, app.config["PUBLIC_BASE_URL"])


def test_every_invitee_gets_one_mail_with_their_own_link(mail_app, smtp, make_roster) -> None:
    inbox, _port = smtp
    runner = mail_app.test_cli_runner()
    make_roster(count=12)
    wave_id = runner.invoke(args=["wave", "open", "--label", "mail-1"]).output.strip()
    result = runner.invoke(args=["wave", "send", wave_id])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "12 invitations sent"
    assert len(inbox.messages) == 12
    recipients = {m["To"] for m in inbox.messages}
    assert len(recipients) == 12
    with mail_app.app_context():
        expected = dict(_links(mail_app, int(wave_id), invitation_links))
    for message in inbox.messages:
        body = message.get_content()
        assert expected[message["To"]] in body
        assert "匿名" in body and "anonymous" not in message["Subject"].lower()


def test_reminders_go_only_to_unspent_links_and_print_only_a_count(mail_app, smtp, make_roster):
    inbox, _port = smtp
    runner = mail_app.test_cli_runner()
    make_roster(count=10)
    wave_id = int(runner.invoke(args=["wave", "open", "--label", "mail-2"]).output.strip())
    with mail_app.app_context():
        links = _links(mail_app, wave_id, invitation_links)
        answered = links[:4]
        for _email, link in answered:
            begin_write(db.session)
            submit(db.session, link.rsplit("/", 1)[1], {_first_item(wave_id): 4})
            db.session.commit()
    result = runner.invoke(args=["wave", "send", str(wave_id), "--reminders"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "6 reminders sent"
    reminded = {m["To"] for m in inbox.messages}
    assert reminded == {address for address, _link in links[4:]}
    assert all("Reminder" in m["Subject"] for m in inbox.messages)


def _first_item(wave_id: int) -> int:
    wave = db.session.get(Wave, wave_id)
    return wave.items[0].item.id


def test_unreachable_smtp_server_gives_a_one_line_error(make_app, make_roster) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    runner = app.test_cli_runner()
    make_roster(count=6)
    wave_id = runner.invoke(args=["wave", "open", "--label", "mail-3"]).output.strip()
    result = runner.invoke(args=["wave", "send", wave_id])
    assert result.exit_code != 0
    assert "mail could not be sent" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_sending_without_smtp_settings_is_refused(app, make_roster) -> None:
    make_roster(count=6)
    with app.app_context(), pytest.raises(MailError):
        send_invitations(app.config, None, [("a@example.jp", "http://x/s/t")])  # type: ignore[arg-type]


def test_reminder_links_never_include_answered_people(app, open_wave) -> None:
    wave_id, paths = open_wave(label="mail-4")
    with app.app_context():
        item = _first_item(wave_id)
        begin_write(db.session)
        submit(db.session, paths[0].rsplit("/", 1)[1], {item: 5})
        db.session.commit()
        remaining = _links(app, wave_id, reminder_links)
    assert len(remaining) == len(paths) - 1
    assert all(not link.endswith(paths[0]) for _email, link in remaining)


def released(app: Flask) -> list[dict[str, Any]]:
    """The public audit entries for invitation links that left the system."""
    from sqlalchemy import select

    from survey.models import AuditEvent

    with app.app_context():
        return [{**event.detail, "role": event.actor_role, "public": event.public}
                for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
                if event.action == "invitation_links_released"]


def test_commands_that_release_links_are_logged_publicly(
    mail_app, smtp, make_roster, tmp_path,
) -> None:
    runner = mail_app.test_cli_runner()
    make_roster(count=8)
    wave_id = runner.invoke(args=["wave", "open", "--label", "mail-5"]).output.strip()
    assert runner.invoke(args=["wave", "send", wave_id]).exit_code == 0
    assert runner.invoke(args=["wave", "send", wave_id, "--reminders"]).exit_code == 0
    out = tmp_path / "links.csv"
    assert runner.invoke(args=["wave", "invitations", wave_id, "--out", str(out)]).exit_code == 0
    assert released(mail_app) == [
        {"wave": "mail-5", "count": 8, "how": how, "role": "system", "public": True}
        for how in ("mail", "reminders", "csv")]
    log = mail_app.test_client().get("/transparency?lang=en").get_data(as_text=True)
    assert "8 invitations of round mail-5 sent by e-mail." in log
    assert "8 reminders of round mail-5 sent by e-mail." in log


def test_sending_from_the_admin_page_is_logged_with_who(mail_app, smtp, make_user, open_wave):
    from conftest import PASSWORD

    wave_id, _paths = open_wave(label="mail-6")
    client = mail_app.test_client()
    user = make_user("admin")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.post(f"/admin/waves/{wave_id}/send").status_code == 302
    assert len(smtp[0].messages) == 30
    assert released(mail_app) == [
        {"wave": "mail-6", "count": 30, "how": "mail", "role": "admin", "public": True}]
