"""The schedule page: saving the cadence, what is next, what ran, refusals."""

from __future__ import annotations

import datetime as dt

from survey.cadence.services import load_schedule
from survey.db import db

GOOD = {"enabled": "y", "every_months": "1", "first_month": "4", "open_on": "1",
        "open_days": "10", "reminders": "5, 8", "survey": ""}


def test_saving_a_schedule_shows_what_comes_next(app, login) -> None:
    client = login("admin")
    response = client.post("/admin/schedule/?lang=en", data=GOOD, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Schedule saved." in page
    assert "Reminder 2" in page and "Open" in page
    with app.app_context():
        schedule = load_schedule(db.session)
    assert schedule.enabled and schedule.reminders == (5, 8) and schedule.open_days == 10
    assert schedule.since is not None and schedule.since <= dt.date.today() + dt.timedelta(1)


def test_a_reminder_after_the_round_is_refused_and_nothing_saved(app, login) -> None:
    client = login("admin")
    response = client.post("/admin/schedule/?lang=en", data={**GOOD, "reminders": "5, 12"})
    assert response.status_code == 400
    assert "Reminder days must lie between day 2" in response.get_data(as_text=True)
    with app.app_context():
        assert not load_schedule(db.session).enabled


def test_malformed_reminder_days_say_how_to_write_them(app, login) -> None:
    response = login("admin").post("/admin/schedule/?lang=ja", data={**GOOD, "reminders": "5;8"})
    assert response.status_code == 400
    assert "5, 8" in response.get_data(as_text=True)


def test_the_page_in_japanese(app, login) -> None:
    page = login("admin").get("/admin/schedule/").get_data(as_text=True)
    assert "実施スケジュール" in page


def test_the_waves_page_names_the_next_scheduled_step(app, login) -> None:
    client = login("admin")
    assert "No schedule is running" in client.get("/admin/?lang=en").get_data(as_text=True)
    client.post("/admin/schedule/", data=GOOD)
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "Next scheduled step: " in page
