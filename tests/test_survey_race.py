"""Fifty phones posting the same link at once store exactly one answer.

Runs on the test database: SQLite by default, PostgreSQL when ``TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from survey.answering.forms import field_name
from survey.answering.services import wave_items
from survey.db import db
from survey.models import Invitation, ItemKind, Response, Wave

CONCURRENT = 50


def full_answer(app: Flask, wave_id: int) -> dict[str, str]:
    with app.app_context():
        items = wave_items(db.session, db.session.get(Wave, wave_id))
        return {field_name(item): ("とても良い" if item.kind == ItemKind.COMMENT else "4")
                for item in items}


def test_fifty_concurrent_posts_of_one_link_store_one_answer(
    app: Flask, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    answer = full_answer(app, wave_id)
    start = threading.Barrier(CONCURRENT)
    codes: list[int] = []
    lock = threading.Lock()

    def phone() -> None:
        client = app.test_client()
        start.wait()
        code = client.post(links[0], data=answer).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=phone) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(codes) == {200: 1, 410: CONCURRENT - 1}
    with app.app_context():
        responses = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.wave_id == wave_id))
        spent = db.session.scalar(select(func.count()).select_from(Invitation).where(
            Invitation.wave_id == wave_id, Invitation.spent.is_(True)))
    assert responses == 1
    assert spent == 1
