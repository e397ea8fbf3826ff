"""The schedule runs by itself: a whole month and more with the clock moved forward day by day.

The clock (``survey.waves.services.today``, which every status check reads) is moved to each
simulated day, and ``tick --today`` is run for it, then the mail worker, against a real SMTP
server and a real database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from survey.answering.services import submit
from survey.cadence.plan import Schedule
from survey.cadence.services import save_schedule
from survey.db import begin_write, db
from survey.models import Wave
from survey.waves import services as wave_services
from survey.waves.services import invitation_links
from tests.conftest import TOKEN_KEY

MAY = Schedule(enabled=True, every_months=1, open_on=1, open_days=10, reminders=(5, 8),
               since=dt.date(2027, 4, 28))


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Move the organisation's clock: ``clock.set(day)``."""

    class Clock:
        day = dt.date(2027, 4, 28)

        def set(self, day: dt.date) -> None:
            self.day = day

    moved = Clock()
    monkeypatch.setattr(wave_services, "today", lambda: moved.day)
    return moved


def _schedule(app: Flask, schedule: Schedule) -> None:
    with app.app_context():
        begin_write(db.session)
        save_schedule(db.session, schedule)
        db.session.commit()


def _tick(app: Flask, day: dt.date) -> list[str]:
    result = app.test_cli_runner().invoke(args=["tick", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def _answer(app: Flask, label: str, count: int) -> None:
    with app.app_context():
        wave = db.session.query(Wave).filter_by(label=label).one()
        links = invitation_links(db.session, wave, TOKEN_KEY, "http://x")
        item = wave.items[0].item.id
        for _email, link in links[:count]:
            begin_write(db.session)
            submit(db.session, link.rsplit("/", 1)[1], {item: 4})
            db.session.commit()


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_a_month_and_a_half_runs_unattended(mail_app, smtp, make_roster, make_user,
                                            clock) -> None:
    make_roster(count=30)
    readers = {make_user("leadership").email, make_user("unit-head").email}
    make_user("hr")  # HR exports; it is not told about reports
    _schedule(mail_app, MAY)
    log: dict[dt.date, list[str]] = {}
    for day in _days(dt.date(2027, 4, 28), dt.date(2027, 6, 16)):
        clock.set(day)
        lines = _tick(mail_app, day)
        assert _tick(mail_app, day) == []  # the same day again does nothing
        if lines:
            log[day] = lines
        mail_app.test_cli_runner().invoke(args=["mail", "work", "--once"])
        if day == dt.date(2027, 5, 7):
            _answer(mail_app, "2027-05", 10)
    assert {day: [line.split(":")[1].strip() for line in lines] for day, lines in log.items()} == {
        dt.date(2027, 5, 6): ["opened wave 1 for 30 people, 30 invitations queued"],
        dt.date(2027, 5, 12): ["remind-1"],
        dt.date(2027, 5, 17): ["remind-2"],
        dt.date(2027, 5, 20): ["closed wave 1", "notify"],
        dt.date(2027, 6, 1): ["opened wave 2 for 30 people, 30 invitations queued"],
        dt.date(2027, 6, 7): ["remind-1"],
        dt.date(2027, 6, 10): ["remind-2"],
        dt.date(2027, 6, 15): ["closed wave 2", "notify"],
    }
    assert log[dt.date(2027, 5, 20)] == ["2027-05: closed wave 1: 10 responses",
                                         "2027-05: notify: 2 report notices queued"]
    notices = [m for m in smtp.messages if m["To"] in readers]
    assert sorted(m["Subject"] for m in notices) == sorted(
        f"naranu: {label} の結果が公開されました" for label in ("2027-05", "2027-06")
        for _reader in readers)  # once per reader and round, in Japanese (no language known)
    assert all("/reports/FY2027Q1" in m.get_content() for m in notices)
    subjects = [m["Subject"] for m in smtp.messages if m["To"] not in readers]
    reminders = sum("Reminder" in s for s in subjects)
    assert len(subjects) - reminders == 60  # two rounds of invitations
    assert reminders == 2 * 20 + 2 * 30  # May: only the 20 who had not answered
    with mail_app.app_context():
        waves = db.session.query(Wave).order_by(Wave.id).all()
        assert [(w.label, w.opens_on, w.closes_on, w.closed) for w in waves] == [
            ("2027-05", dt.date(2027, 5, 6), dt.date(2027, 5, 19), True),
            ("2027-06", dt.date(2027, 6, 1), dt.date(2027, 6, 14), True),
        ]


def test_after_missed_days_it_catches_up_once(mail_app, smtp, make_roster, clock) -> None:
    make_roster(count=12)
    _schedule(mail_app, MAY)
    clock.set(dt.date(2027, 5, 18))
    assert _tick(mail_app, dt.date(2027, 5, 18)) == [
        "2027-05: opened wave 1 for 12 people, 12 invitations queued",
        "2027-05: remind-1 skipped (a later reminder is due)",
        "2027-05: remind-2 skipped (the round opened late today)",
    ]
    clock.set(dt.date(2027, 5, 25))
    assert _tick(mail_app, dt.date(2027, 5, 25)) == ["2027-05: closed wave 1: 0 responses",
                                                     "2027-05: notify: 0 report notices queued"]
    assert _tick(mail_app, dt.date(2027, 5, 25)) == []


def test_a_round_missed_entirely_is_recorded_not_opened(app, make_roster, clock) -> None:
    make_roster(count=12)
    _schedule(app, MAY)
    clock.set(dt.date(2027, 5, 21))
    assert _tick(app, dt.date(2027, 5, 21)) == [
        "2027-05: opening missed (the round ended 2027-05-19)"]
    with app.app_context():
        assert db.session.query(Wave).count() == 0


def test_a_refused_opening_is_recorded_in_words_not_as_a_code(app, make_roster, clock) -> None:
    make_roster(count=3)  # fewer than the minimum group size
    _schedule(app, MAY)
    clock.set(dt.date(2027, 5, 6))
    assert _tick(app, dt.date(2027, 5, 6)) == [
        "2027-05: not opened: The active roster has fewer people than the minimum group size."]


def test_a_disabled_schedule_does_nothing(app, make_roster, clock) -> None:
    make_roster(count=12)
    clock.set(dt.date(2027, 5, 6))
    assert _tick(app, dt.date(2027, 5, 6)) == []
