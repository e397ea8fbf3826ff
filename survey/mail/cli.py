"""``flask --app app mail work [--once]``: the worker that drains the mail queue."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import db
from survey.mail.queue import pending_count
from survey.mail.smtp import ServerUnavailable
from survey.mail.worker import Tally, Worker, WorkerBusy, exclusive


@click.group("mail")
def mail_group() -> None:
    """Send the queued invitation, reminder and report-notice mail."""


@mail_group.command("work")
@click.option("--once", is_flag=True, help="send until the queue is empty, then exit")
@with_appcontext
def mail_work_command(once: bool) -> None:
    """Send queued mail at MAIL_RATE per second; prints how many were sent, failed and left."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise click.ClickException("mail is not configured (set NARANU_MAIL_SERVER)")
    worker = Worker(db.session, config)
    try:
        with exclusive(db.session, worker_lock_path()):
            if once:
                click.echo(worker.drain().line())
            else:
                worker.serve(float(config["MAIL_IDLE_SECONDS"]), _report)
    except WorkerBusy as error:
        raise click.ClickException("another mail worker is running on this database") from error
    except ServerUnavailable as error:
        worker.tally.left = _left()
        raise click.ClickException(
            f"{worker.tally.line()}: the mail server is not available ({error})") from error


def _report(tally: Tally) -> None:
    click.echo(tally.line())


def _left() -> int:
    left = pending_count(db.session)
    db.session.rollback()
    return left


def worker_lock_path() -> str:
    """Beside the SQLite file, like its writer queue (unused on PostgreSQL)."""
    return f"{db.engine.url.database}-mail-worker"
