"""``flask --app app tick [--today YYYY-MM-DD]``: do what the schedule says is due, once."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.cadence.services import (
    Context,
    already_done,
    due_actions,
    load_schedule,
    perform,
)
from survey.db import begin_write, db
from survey.waves.closing import compact_storage
from survey.waves.services import today as tokyo_today


@click.command("tick")
@click.option("--today", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="the day to act for (default: today in Asia/Tokyo)")
@with_appcontext
def tick_command(on: dt.datetime | None) -> None:
    """Open, remind and close what the schedule says is due; one line per action.

    Safe to run twice or after a missed day: each action is recorded and never done again.
    """
    day = on.date() if on else tokyo_today()
    config = current_app.config
    context = Context(token_key=config["TOKEN_KEY"], mail=bool(config.get("MAIL_SERVER")))
    schedule = load_schedule(db.session)
    db.session.rollback()
    for due in due_actions(db.session, schedule, day):
        begin_write(db.session)
        if already_done(db.session, due):  # another tick got there first
            db.session.rollback()
            continue
        click.echo(perform(db.session, schedule, due, day, context))
        db.session.commit()
        if due.action == "close":
            compact_storage(db.engine)

