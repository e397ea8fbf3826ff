"""``flask --app app …`` commands: the automation surface for admins and HR (DESIGN.md #7).

Each command runs in one transaction and exits non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from survey.auth.messages import account_message
from survey.auth.services import AccountError, check_units, create_user
from survey.auth.sessions import account_by_email, revoke_sessions
from survey.db import begin_write, db
from survey.mail.compose import letter_of
from survey.mail.messages import mail_queue_message
from survey.mail.models import MailKind
from survey.mail.notices import announce_results, notices_line
from survey.mail.queue import MailQueueError, queue_mail
from survey.messages import fail, refused
from survey.models import Wave
from survey.org_settings import current_thresholds, group_hierarchy
from survey.principles.services import seed_default_template, survey_by_name
from survey.units.messages import unit_message
from survey.units.paths import unit_label
from survey.units.services import UnitError, assign_units, resolve_units
from survey.waves.closing import close_wave, compact_storage
from survey.waves.design import ConcurrentRule
from survey.waves.invitations import links_csv, record_release
from survey.waves.messages import wave_message
from survey.waves.preview import CellPreview, UnitStatus
from survey.waves.services import (
    WaveError,
    WavePlan,
    invitation_links,
    open_wave,
    organisation_rule,
    today,
    wave_preview,
)
from survey.waves.slips import slips
from survey.waves.slips_pdf import render_slips

#: Who the audit log names for a command run on the server (it has no account).
CLI_ACTOR: tuple[str, int | None] = ("system", None)



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
@click.option("--role", required=True, metavar="admin|leadership|hr|unit-head")
@click.option("--unit", "units", multiple=True, metavar="UNIT",
              help="a unit the unit head heads, as named in the roster (repeatable); "
                   "write an ambiguous name with its parent: 総務課/庶務係")
@click.option("--password", default=None,
              help="deprecated: visible in the shell history and the process list")
@with_appcontext
def create_user_command(email: str, role: str, units: tuple[str, ...],
                        password: str | None) -> None:
    """Create an account for an administrator, leadership, HR or a unit head.

    The password is asked for (twice, hidden) on a terminal, or read as one line from standard
    input when piped: ``printf '%s\\n' "$PASSWORD" | flask --app app create-user …``.
    """
    try:
        check_units(role, units)
        paths = resolve_units(db.session, units)
    except AccountError as error:
        raise refused(error, account_message) from error
    except UnitError as error:
        raise refused(error, unit_message) from error
    db.session.rollback()
    if password is None:
        password = _read_password()
    else:
        click.echo("warning: --password leaves the password in the shell history and the "
                   "process list; leave it out to be asked, or pipe it on standard input",
                   err=True)
    begin_write(db.session)
    try:
        user = create_user(db.session, email, role, password)
    except AccountError as error:
        raise refused(error, account_message) from error
    db.session.flush()
    assign_units(db.session, user, paths)
    db.session.commit()
    heads = "".join(f"; heads {unit_label(path)}" for path in paths)
    click.echo(f"created {user.role} {user.email}{heads}")


def _read_password() -> str:
    """The new password from a hidden prompt on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("revoke-sessions")
@click.argument("email")
@with_appcontext
def revoke_sessions_command(email: str) -> None:
    """End every session of one account at once (a lost laptop, a departing colleague)."""
    begin_write(db.session)
    user = account_by_email(db.session, email)
    if user is None:
        raise fail(f"no account with e-mail {email}")
    revoke_sessions(db.session, user)
    db.session.commit()
    click.echo(f"every session of {user.email} has ended")


@click.group("wave")
def wave_group() -> None:
    """Open, list and close survey waves."""


def reported_attributes(function: Callable[..., None]) -> Callable[..., None]:
    """The options that choose what a wave reports (shared by ``wave open`` and ``preview``)."""
    function = click.option(
        "--attribute", "attributes", multiple=True, metavar="COLUMN",
        help="a non-unit roster column the wave may report (repeat; default: the recommended "
             "one)")(function)
    function = click.option("--unit-only", is_flag=True,
                            help="report the units only, no other column")(function)
    return click.option(
        "--concurrent-posts", type=click.Choice([r.value for r in ConcurrentRule]), default=None,
        help="count concurrent posts (兼務) in the main unit only, or in each unit too "
             "(default: the organisation's setting)")(function)


def _chosen(attributes: tuple[str, ...], unit_only: bool) -> list[str] | None:
    if unit_only and attributes:
        raise fail("--unit-only and --attribute exclude each other")
    return [] if unit_only else (list(attributes) or None)


@wave_group.command("preview")
@reported_attributes
@with_appcontext
def wave_preview_command(attributes: tuple[str, ...], unit_only: bool,
                         concurrent_posts: str | None) -> None:
    """Show what a wave opened now would report: units, roll-ups, coverage, concurrent posts."""
    rule = ConcurrentRule(concurrent_posts) if concurrent_posts else None
    try:
        shown = wave_preview(db.session, _chosen(attributes, unit_only), rule)
    except WaveError as error:
        raise refused(error, wave_message) from error
    for line in preview_lines(shown):
        click.echo(line)


def preview_lines(shown: CellPreview) -> list[str]:
    """The preview as plain lines (English, like every command's output)."""
    design = shown.design
    lines = [f"roster: {shown.invited} people; k = {shown.k}; unit levels: "
             f"{' > '.join(design.hierarchy) or '(none)'}",
             f"reported: {', '.join(design.attributes) or '(whole organisation only)'}",
             "concurrent posts: " + ("counted in each unit too" if design.concurrent_rule
                                     is ConcurrentRule.COUNTED else "counted in the main unit "
                                     "only"), "units:"]
    why = {UnitStatus.OWN: "reported as itself",
           UnitStatus.SMALL: "fewer than k: counted within {into}",
           UnitStatus.PROTECTS: "counted within {into} so that a smaller group there cannot be "
                                "worked out"}
    for unit in shown.units:
        into = " / ".join(unit.into) or "Other (その他)"
        lines.append(f"  {' / '.join(unit.path):<30} {unit.people:>6}  "
                     + why[unit.status].format(into=into))
    lines.append("other attributes (people placed in a shown group / people with a value):")
    for attribute in shown.attributes:
        mark = "x" if attribute.chosen else " "
        groups = ", ".join(f"{g.value} {g.covered}/{g.total}" for g in attribute.groups)
        lines.append(f"  [{mark}] {attribute.name}: {attribute.covered} of {attribute.total}"
                     f" ({groups})")
    if shown.concurrent:
        lines.append("concurrent posts (main members / concurrent posts / counted there):")
        lines += [f"  {' / '.join(c.path)}: {c.main} / {c.concurrent} / {c.counted}"
                  for c in shown.concurrent]
    return lines


@wave_group.command("open")
@click.option("--label", required=True)
@click.option("--survey", "survey_name", default=None, help="survey name (default: the default)")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), default=None)
@reported_attributes
@with_appcontext
def wave_open_command(
    label: str, survey_name: str | None, opens: dt.datetime | None, closes: dt.datetime | None,
    attributes: tuple[str, ...], unit_only: bool, concurrent_posts: str | None,
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
            current_app.config["TOKEN_KEY"], secondary=_chosen(attributes, unit_only),
            concurrent_rule=ConcurrentRule(concurrent_posts) if concurrent_posts
            else organisation_rule(db.session),
        )
    except WaveError as error:
        raise refused(error, wave_message) from error
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
        raise refused(error, wave_message) from error
    write_links_csv(Path(out_path), links)
    _record_release(wave, "csv", len(links))
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
    except WaveError as error:
        raise refused(error, wave_message) from error
    except MailQueueError as error:
        raise refused(error, mail_queue_message) from error
    db.session.commit()
    _record_release(wave, "reminders" if reminders else "mail", queued)
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
        raise refused(error, wave_message) from error
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
        raise refused(error, wave_message) from error
    queued = announce_results(db.session, wave)
    db.session.commit()
    compact_storage(db.engine)
    click.echo(f"closed wave {wave.id} ({wave.label}): {wave.responded_count} responses")
    if queued is not None:
        click.echo(notices_line(queued))


@wave_group.command("close-due")
@with_appcontext
def wave_close_due_command() -> None:
    """Close every wave whose closing date has passed (run daily from cron)."""
    begin_write(db.session)
    due = list(db.session.scalars(
        select(Wave).where(Wave.closed.is_(False), Wave.closes_on < today())))
    queued = []
    for wave in due:
        close_wave(db.session, wave)
        queued.append(announce_results(db.session, wave))
    db.session.commit()
    if due:
        compact_storage(db.engine)
    click.echo(f"closed {len(due)} waves")
    if due and queued[0] is not None:
        click.echo(notices_line(sum(n or 0 for n in queued)))


@wave_group.command("list")
@with_appcontext
def wave_list_command() -> None:
    """List waves with their dates and status."""
    from survey.waves.services import status

    for wave in db.session.scalars(select(Wave).order_by(Wave.opens_on, Wave.id)):
        click.echo(f"{wave.id}\t{wave.label}\t{wave.opens_on}\t{wave.closes_on}\t{status(wave)}")


def _record_release(wave: Wave, how: str, count: int) -> None:
    """Log publicly that live links left the system, as the server's own account."""
    begin_write(db.session)
    record_release(db.session, wave, how, count, CLI_ACTOR)
    db.session.commit()


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

    for command in (init_db_command, create_user_command, revoke_sessions_command,
                    wave_group, roster_group, seed_demo_command, mail_group,
                    tick_command):
        app.cli.add_command(command)
