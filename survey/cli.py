"""``flask --app app …`` commands: the automation surface for admins and HR (DESIGN.md #7).

Each command runs in one transaction and exits non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import select

from survey.admin.messages import account_message, wave_message
from survey.auth.services import AccountError, create_user
from survey.db import begin_write, db
from survey.mail.compose import letter_of
from survey.mail.models import MailKind
from survey.mail.queue import MailQueueError, queue_mail
from survey.models import Wave
from survey.principles.services import seed_default_template, survey_by_name
from survey.settings import current_thresholds, group_hierarchy
from survey.waves.closing import close_wave, compact_storage
from survey.waves.invitations import links_csv
from survey.waves.services import (
    WaveError,
    WavePlan,
    invitation_links,
    open_wave,
    today,
)
from survey.waves.slips import slips
from survey.waves.slips_pdf import render_slips


def fail(message: str) -> click.ClickException:
    """A one-line error that makes the command exit with status 1."""
    db.session.rollback()
    return click.ClickException(message)


def english(message: Callable[[str], str], code: object) -> str:
    """A service error's sentence in English, from the same table the web pages use."""
    with force_locale("en"):
        return message(str(code))


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or migrate the database and install the default principles and survey."""
    upgrade(directory=str(Path(current_app.root_path) / "migrations"))
    begin_write(db.session)
    seed_default_template(db.session)
    db.session.commit()
    click.echo("database ready")


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, metavar="admin|leadership|hr")
@click.option("--password", required=True)
@with_appcontext
def create_user_command(email: str, role: str, password: str) -> None:
    """Create an account for an administrator, leadership or HR."""
    begin_write(db.session)
    try:
        user = create_user(db.session, email, role, password)
    except AccountError as error:
        raise fail(english(account_message, error)) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@click.group("wave")
def wave_group() -> None:
    """Open, list and close survey waves."""


@wave_group.command("open")
@click.option("--label", required=True)
@click.option("--survey", "survey_name", default=None, help="survey name (default: the default)")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), default=None)
@with_appcontext
def wave_open_command(
    label: str, survey_name: str | None, opens: dt.datetime | None, closes: dt.datetime | None
) -> None:
    """Open a wave for the active roster; prints the wave id."""
    begin_write(db.session)
    survey = survey_by_name(db.session, survey_name)
    if survey is None:
        raise fail(f"no survey named {survey_name!r}" if survey_name else "run init-db first")
    opens_on = opens.date() if opens else today()
    closes_on = closes.date() if closes else opens_on + dt.timedelta(days=14)
    try:
        wave = open_wave(
            db.session, survey, WavePlan(label, opens_on, closes_on),
            current_thresholds(db.session), group_hierarchy(db.session),
            current_app.config["TOKEN_KEY"],
        )
    except WaveError as error:
        raise fail(english(wave_message, error)) from error
    db.session.commit()
    click.echo(wave.id)


@wave_group.command("invitations")
@click.argument("wave_id", type=int)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def wave_invitations_command(wave_id: int, out_path: str) -> None:
    """Write every invitee's e-mail and personal link as CSV (UTF-8 with BOM) for mail merge."""
    wave = _wave_or_fail(wave_id)
    try:
        links = invitation_links(db.session, wave, current_app.config["TOKEN_KEY"],
                                 current_app.config["PUBLIC_BASE_URL"])
    except WaveError as error:
        raise fail(english(wave_message, error)) from error
    write_links_csv(Path(out_path), links)
    click.echo(f"{len(links)} invitations written to {out_path}")


def write_links_csv(path: Path, links: list[tuple[str, str]]) -> None:
    """email,link rows in UTF-8 with BOM (Excel opens it correctly)."""
    path.write_bytes(links_csv(links).encode("utf-8-sig"))


@wave_group.command("send")
@click.argument("wave_id", type=int)
@click.option("--reminders", is_flag=True, help="remind invitees who have not answered yet")
@with_appcontext
def wave_send_command(wave_id: int, reminders: bool) -> None:
    """Queue the invitations (or reminders) for ``mail work``; prints how many were queued."""
    if not current_app.config.get("MAIL_SERVER"):
        raise fail("mail is not configured (set NARANU_MAIL_SERVER)")
    begin_write(db.session)
    wave = _wave_or_fail(wave_id)
    kind = MailKind.REMINDER if reminders else MailKind.INVITATION
    try:
        queued = queue_mail(db.session, wave, kind)
    except (WaveError, MailQueueError) as error:
        raise fail(english(wave_message, error)) from error
    db.session.commit()
    click.echo(f"{queued} {'reminders' if reminders else 'invitations'} queued")


@wave_group.command("slips")
@click.argument("wave_id", type=int)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--all", "everyone", is_flag=True, help="a slip for every invitee, not only "
              "those without an e-mail address")
@with_appcontext
def wave_slips_command(wave_id: int, out_path: str, everyone: bool) -> None:
    """Write printable invitation slips (A4 PDF, QR code, name on a tear-off part)."""
    wave = _wave_or_fail(wave_id)
    config = current_app.config
    try:
        found = slips(db.session, wave, config["TOKEN_KEY"], config["PUBLIC_BASE_URL"],
                      everyone=everyone)
    except WaveError as error:
        raise fail(english(wave_message, error)) from error
    if not found:
        raise fail("every invitee has an e-mail address (use --all to print slips for everyone)")
    Path(out_path).write_bytes(render_slips(letter_of(wave), found))
    click.echo(f"{len(found)} slips written to {out_path}")


@wave_group.command("close")
@click.argument("wave_id", type=int)
@with_appcontext
def wave_close_command(wave_id: int) -> None:
    """Close a wave: summarise it and make its storage unlinkable."""
    begin_write(db.session)
    wave = _wave_or_fail(wave_id)
    try:
        close_wave(db.session, wave)
    except WaveError as error:
        raise fail(english(wave_message, error)) from error
    db.session.commit()
    compact_storage(db.engine)
    click.echo(f"closed wave {wave.id} ({wave.label}): {wave.responded_count} responses")


@wave_group.command("close-due")
@with_appcontext
def wave_close_due_command() -> None:
    """Close every wave whose closing date has passed (run daily from cron)."""
    begin_write(db.session)
    due = list(db.session.scalars(
        select(Wave).where(Wave.closed.is_(False), Wave.closes_on < today())))
    for wave in due:
        close_wave(db.session, wave)
    db.session.commit()
    if due:
        compact_storage(db.engine)
    click.echo(f"closed {len(due)} waves")


@wave_group.command("list")
@with_appcontext
def wave_list_command() -> None:
    """List waves with their dates and status."""
    from survey.waves.services import status

    for wave in db.session.scalars(select(Wave).order_by(Wave.opens_on, Wave.id)):
        click.echo(f"{wave.id}\t{wave.label}\t{wave.opens_on}\t{wave.closes_on}\t{status(wave)}")


def _wave_or_fail(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise fail(f"no wave with id {wave_id}")
    return wave


def register_commands(app: Flask) -> None:
    """Attach every survey command to the app's CLI."""
    from survey.cadence.cli import tick_command
    from survey.demo import seed_demo_command
    from survey.mail.cli import mail_group
    from survey.roster.cli import roster_group

    for command in (init_db_command, create_user_command, wave_group, roster_group,
                    seed_demo_command, mail_group, tick_command):
        app.cli.add_command(command)
