"""Decide and do what the schedule says is due on a day; record each action once.

``tick`` is idempotent: every action is keyed by (period, action) in ``schedule_run``, so a
second run on the same day — or any later day — finds it done.  After a missed day it catches
up: a round whose opening was missed still opens while it has days left, only the latest of
several missed reminders is sent, and an overdue close is done.  Services never commit: each
action is one transaction that the ``tick`` command begins and commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from survey.cadence.models import ScheduleRun
from survey.cadence.plan import Round, Schedule, rounds_near
from survey.db import DbSession
from survey.mail.messages import mail_queue_message
from survey.mail.models import MailKind
from survey.mail.notices import queue_report_notices
from survey.mail.queue import MailQueueError, queue_mail
from survey.messages import in_english
from survey.models import Wave
from survey.org_settings import current_thresholds, get_setting, group_hierarchy, put_setting
from survey.principles.services import survey_by_name
from survey.waves.closing import close_wave
from survey.waves.messages import wave_message
from survey.waves.services import WaveError, WavePlan, open_wave

SETTING = "schedule"
ACTOR = ("schedule", None)


def load_schedule(session: DbSession) -> Schedule:
    """The stored schedule (disabled defaults when none is stored)."""
    return Schedule.from_json(get_setting(session, SETTING))


def save_schedule(session: DbSession, schedule: Schedule) -> None:
    """Store the schedule (the caller commits)."""
    put_setting(session, SETTING, schedule.to_json())


@dataclass(frozen=True)
class Due:
    """One action due on a day."""

    period: str
    action: str  # "open", "remind-N", "close", "notify"
    due_on: dt.date
    round: Round


@dataclass(frozen=True)
class Context:
    """What actions need from the application (config), kept out of the services' signatures."""

    token_key: str
    mail: bool  # a mail server is configured


def due_actions(session: DbSession, schedule: Schedule, day: dt.date) -> list[Due]:
    """Actions of nearby rounds due by ``day`` and not yet recorded, closes first."""
    if not schedule.enabled:
        return []
    done = _recorded(session)
    due: list[Due] = []
    for found in rounds_near(schedule, day, after=0):
        opened = (found.period, "open") in done
        if not opened and found.opens_on <= day:
            due.append(Due(found.period, "open", found.opens_on, found))
        elif opened and found.close_on <= day and (found.period, "close") not in done:
            due.append(Due(found.period, "close", found.close_on, found))
        if opened and found.close_on <= day and (found.period, "notify") not in done:
            due.append(Due(found.period, "notify", found.close_on, found))  # after its close
        if found.opens_on <= day < found.close_on:
            due.extend(_reminders(found, day, done))
    return sorted(due, key=lambda d: (ORDER.get(d.action, len(ORDER)), d.due_on))


#: Closes first (a close frees the round for the next), then the notices of what closed.
ORDER = {"close": 0, "notify": 1}


def _reminders(found: Round, day: dt.date, done: set[tuple[str, str]]) -> list[Due]:
    return [Due(found.period, f"remind-{number}", on, found)
            for number, on in found.reminders
            if on <= day and (found.period, f"remind-{number}") not in done]


def _recorded(session: DbSession) -> set[tuple[str, str]]:
    return {(period, action) for period, action in session.execute(
        select(ScheduleRun.period, ScheduleRun.action))}


def upcoming(session: DbSession, schedule: Schedule, day: dt.date, limit: int = 6) -> list[Due]:
    """The next actions the schedule will take from ``day`` on (for the admin page)."""
    if not schedule.enabled:
        return []
    done = _recorded(session)
    planned = [Due(r.period, action, on, r) for r in rounds_near(schedule, day, before=1, after=2)
               for action, on in _round_actions(r)]
    return sorted((d for d in planned if d.due_on >= day and (d.period, d.action) not in done),
                  key=lambda d: d.due_on)[:limit]


def _round_actions(found: Round) -> list[tuple[str, dt.date]]:
    reminders = [(f"remind-{number}", on) for number, on in found.reminders]
    return [("open", found.opens_on), *reminders, ("close", found.close_on),
            ("notify", found.close_on)]


def recent_runs(session: DbSession, limit: int = 50) -> list[ScheduleRun]:
    """What the schedule did, newest first."""
    return list(session.scalars(select(ScheduleRun).order_by(
        ScheduleRun.ran_on.desc(), ScheduleRun.id.desc()).limit(limit)))


def already_done(session: DbSession, due: Due) -> bool:
    """Whether the action is recorded (checked again inside the action's own transaction)."""
    return session.scalar(select(ScheduleRun.id).where(
        ScheduleRun.period == due.period, ScheduleRun.action == due.action)) is not None


def perform(session: DbSession, schedule: Schedule, due: Due, day: dt.date,
            context: Context) -> str:
    """Do one due action and record it (the caller begins and commits the transaction)."""
    action = ACTIONS[due.action.split("-")[0]]
    outcome, wave_id, line = action(session, schedule, due, day, context)
    session.add(ScheduleRun(period=due.period, action=due.action, due_on=due.due_on,
                            ran_on=day, outcome=outcome, wave_id=wave_id, line=line))
    return line


Result = tuple[str, int | None, str]


def _open(session: DbSession, schedule: Schedule, due: Due, day: dt.date,
          context: Context) -> Result:
    if day > due.round.closes_on:
        ended = due.round.closes_on
        return "missed", None, f"{due.period}: opening missed (the round ended {ended})"
    survey = survey_by_name(session, schedule.survey)
    if survey is None:
        return "failed", None, f"{due.period}: not opened: no survey {schedule.survey!r}"
    try:
        wave = open_wave(
            session, survey=survey,
            plan=WavePlan(due.period, due.round.opens_on, due.round.closes_on),
            thresholds=current_thresholds(session), hierarchy=group_hierarchy(session),
            token_key=context.token_key, actor=ACTOR)
    except WaveError as error:  # refused before anything was written
        return "failed", None, f"{due.period}: not opened: {in_english(error, wave_message)}"
    line = f"{due.period}: opened wave {wave.id} for {wave.invited_count} people"
    if context.mail:
        line += f", {queue_mail(session, wave, MailKind.INVITATION)} invitations queued"
    return "done", wave.id, line


def _remind(session: DbSession, schedule: Schedule, due: Due, day: dt.date,
            context: Context) -> Result:
    wave = _wave_of(session, due.period)
    if wave is None or wave.closed:
        return "skipped", None, f"{due.period}: {due.action} skipped (no open wave)"
    why = _no_reminder_because(session, due, day, context)
    if why:
        return "skipped", wave.id, f"{due.period}: {due.action} skipped ({why})"
    try:
        queued = queue_mail(session, wave, MailKind.REMINDER)
    except WaveError as error:
        why = in_english(error, wave_message)
        return "skipped", wave.id, f"{due.period}: {due.action} skipped ({why})"
    except MailQueueError as error:
        why = in_english(error, mail_queue_message)
        return "skipped", wave.id, f"{due.period}: {due.action} skipped ({why})"
    return "done", wave.id, f"{due.period}: {due.action}: {queued} reminders queued"


def _no_reminder_because(session: DbSession, due: Due, day: dt.date, context: Context) -> str:
    """Why a reminder due by ``day`` is not sent (catching up must not send several at once)."""
    number = int(due.action.split("-")[1])
    if any(n > number and on <= day for n, on in due.round.reminders):
        return "a later reminder is due"
    opened_on = session.scalar(select(ScheduleRun.ran_on).where(
        ScheduleRun.period == due.period, ScheduleRun.action == "open"))
    if opened_on == day and due.due_on < day:
        return "the round opened late today"
    return "" if context.mail else "no mail server"


def _close(session: DbSession, schedule: Schedule, due: Due, day: dt.date,
           context: Context) -> Result:
    wave = _wave_of(session, due.period)
    if wave is None or wave.closed:
        return "skipped", None, f"{due.period}: no wave to close"
    close_wave(session, wave, actor=ACTOR)
    return "done", wave.id, f"{due.period}: closed wave {wave.id}: {wave.responded_count} responses"


def _notify(session: DbSession, schedule: Schedule, due: Due, day: dt.date,
            context: Context) -> Result:
    """Tell leadership and unit heads that the round's report is ready (once per account)."""
    wave = _wave_of(session, due.period)
    if wave is None or not wave.closed:
        return "skipped", None, f"{due.period}: notify skipped (no closed wave)"
    if not context.mail:
        return "skipped", wave.id, f"{due.period}: notify skipped (no mail server)"
    queued = queue_report_notices(session, wave, actor=ACTOR)
    return "done", wave.id, f"{due.period}: notify: {queued} report notices queued"


def _wave_of(session: DbSession, period: str) -> Wave | None:
    wave_id = session.scalar(select(ScheduleRun.wave_id).where(
        ScheduleRun.period == period, ScheduleRun.action == "open"))
    return None if wave_id is None else session.get(Wave, wave_id)


ACTIONS: dict[str, Callable[..., Any]] = {"open": _open, "remind": _remind, "close": _close,
                                          "notify": _notify}
