"""Close a wave: summarise, scramble storage order, forget who was invited with which token.

The summariser comes from the reports package through ``app.extensions`` (the application
factory wires it), so the survey package never imports reports (STYLE.md dependency direction).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

from flask import current_app
from sqlalchemy import delete, select, text
from sqlalchemy.engine import Engine

from survey import audit
from survey.db import DbSession
from survey.mail.queue import forget_mail
from survey.models import Answer, Response, Wave, utcnow
from survey.waves.services import WaveError, WaveStatus, forget_invitations, status

Summariser = Callable[[DbSession, Wave], None]
SUMMARISER_KEY = "naranu.summarise_wave"


def close_wave(
    session: DbSession, wave: Wave, actor: tuple[str, int | None] = ("system", None)
) -> None:
    """Summarise the wave into aggregates and make its storage unlinkable; caller commits.

    The report can be read from then on: the time is kept as the wave's publication time.
    """
    if wave.closed:
        raise WaveError("wave_already_closed")
    if status(wave) == WaveStatus.SCHEDULED:
        raise WaveError("wave_not_started")
    forget_invitations(session, wave)
    forget_mail(session, wave)
    rewrite_in_random_order(session, wave)
    summarise: Summariser = current_app.extensions[SUMMARISER_KEY]
    summarise(session, wave)
    wave.closed = True
    wave.results_published_at = utcnow()
    audit.record(session, "wave_closed", actor[0], actor[1], wave=wave.label)


def rewrite_in_random_order(session: DbSession, wave: Wave) -> None:
    """Re-insert the wave's responses under new random ids, in random order, in one transaction.

    Afterwards neither ids, row order, PostgreSQL ``xmin``/``ctid`` nor SQLite page order say
    in which order people answered (docs/anonymity.md).
    """
    rows = session.execute(
        select(Response.id, Response.cell_id).where(Response.wave_id == wave.id)
    ).all()
    answers = session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value, Answer.text)
        .join(Response, Response.id == Answer.response_id).where(Response.wave_id == wave.id)
    ).all()
    session.execute(delete(Answer).where(Answer.response_id.in_(
        select(Response.id).where(Response.wave_id == wave.id))))
    session.execute(delete(Response).where(Response.wave_id == wave.id))
    renamed = {old: uuid.uuid4() for old, _cell in rows}
    order = list(rows)
    random.SystemRandom().shuffle(order)
    if order:
        session.execute(Response.__table__.insert(), [
            {"id": renamed[old], "wave_id": wave.id, "cell_id": cell} for old, cell in order])
    grouped = sorted(answers, key=lambda a: renamed[a.response_id].hex)
    if grouped:
        session.execute(Answer.__table__.insert(), [
            {"response_id": renamed[a.response_id], "item_id": a.item_id, "value": a.value,
             "text": a.text} for a in grouped])
    session.expire_all()


def compact_storage(engine: Engine) -> None:
    """Rewrite the files so deleted rows and old page images leave no trace (after commit)."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("response", "answer", "invitation"):
            connection.execute(text(f"VACUUM FULL {table}"))
