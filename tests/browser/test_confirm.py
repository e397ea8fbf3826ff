"""Irreversible actions ask first in a real browser, with no script: close a wave in Japanese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from survey.db import db
from survey.models import Wave


@pytest.fixture(scope="module")
def wave(live_server: Any) -> Any:
    """One open wave and an admin."""
    live_server.open_wave("確認テスト", staff=12)
    live_server.create_user("admin")
    return live_server


def _closed(live: Any) -> bool:
    with live.app.app_context():
        closed = db.session.query(Wave).filter_by(label="確認テスト").one().closed
        db.session.remove()
        return closed


def test_closing_asks_first_and_cancel_changes_nothing(
    wave: Any, page_factory: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    page = page_factory(java_script_enabled=False)  # the step needs no script
    wave.sign_in(page, "admin")
    page.goto(f"{wave.url}/admin/")
    page.get_by_role("button", name="今すぐ締め切る").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="「確認テスト」を今すぐ締め切りますか？").is_visible()
    screenshot(page, "confirm-close-ja")
    page.get_by_role("link", name="やめる").click()
    page.wait_for_load_state()
    assert not _closed(wave)
    page.get_by_role("button", name="今すぐ締め切る").click()
    page.get_by_role("button", name="締め切る", exact=True).click()
    page.wait_for_load_state()
    assert "実施回「確認テスト」を締め切りました。" in page.content()
    assert _closed(wave)
