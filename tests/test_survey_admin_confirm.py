"""Irreversible and mass actions ask first: the first post only describes, the second acts."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.db import db
from survey.mail.models import MailMessage
from survey.models import Wave
from survey.org_settings import current_thresholds
from tests.conftest import PASSWORD


def _form_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_closing_asks_first_and_the_confirmation_closes(app, login, open_wave) -> None:
    wave_id, _links = open_wave(label="c-1")
    admin = login("admin")
    asked = admin.post(f"/admin/waves/{wave_id}/close?lang=en")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Close c-1 now?" in page and "This cannot be undone." in page
    assert not re.findall(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    with app.app_context():
        assert not db.session.get(Wave, wave_id).closed
    fields = _form_fields(page)
    assert fields["confirmed"] == "1"
    admin.post(f"/admin/waves/{wave_id}/close", data=fields)
    with app.app_context():
        assert db.session.get(Wave, wave_id).closed


def test_the_question_is_asked_in_japanese_too(app, login, open_wave) -> None:
    wave_id, _links = open_wave(label="c-2")
    page = login("admin").post(f"/admin/waves/{wave_id}/close").get_data(as_text=True)
    assert "「c-2」を今すぐ締め切りますか？" in page
    assert "取り消せません" in page


def test_sending_asks_first_with_the_number_of_people(mail_app, smtp, open_wave, make_user):
    wave_id, _links = open_wave(label="c-3")
    client = mail_app.test_client()
    client.post("/login", data={"email": make_user("admin").email, "password": PASSWORD})
    page = client.post(f"/admin/waves/{wave_id}/send?lang=en").get_data(as_text=True)
    assert "30 people get an e-mail with their own single-use link." in page
    reminders = client.post(f"/admin/waves/{wave_id}/send?lang=en",
                            data={"reminders": "1"}).get_data(as_text=True)
    assert "Nobody, you included, can see who is reminded." in reminders
    assert _form_fields(reminders)["reminders"] == "1"
    with mail_app.app_context():
        assert db.session.scalars(select(MailMessage)).all() == []


def test_changing_k_asks_first_and_says_it_will_be_public(app, login) -> None:
    admin = login("admin")
    page = admin.post("/admin/settings?lang=en", data={"k": "7", "k_comments": "12"})
    text = page.get_data(as_text=True)
    assert "Minimum group size k: 5 → 7; for comments: 10 → 12." in text
    assert "public transparency log" in text
    with app.app_context():
        assert current_thresholds(db.session).k == 5
    assert admin.post("/admin/settings", data=_form_fields(text)).status_code == 302
    with app.app_context():
        assert current_thresholds(db.session).k == 7
