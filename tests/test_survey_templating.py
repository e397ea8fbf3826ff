"""Template filters shared by every page."""

from __future__ import annotations

import pytest

from survey.templating import signed


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (3.4, 0, "+3"), (-2.46, 1, "-2.5"), (-0.2, 0, "±0"), (0.04, 1, "±0.0"), (0.0, 0, "±0"),
])
def test_signed_never_shows_minus_zero(value: float, digits: int, expected: str) -> None:
    assert signed(value, digits) == expected


def test_codes_are_not_shown_raw_in_the_japanese_ui(app, login) -> None:
    """Found by a browser walk: kind codes on the principles page, export kinds in the log."""
    from survey import audit
    from survey.db import db

    admin = login("admin")
    page = admin.get("/admin/principles/").get_data(as_text=True)
    assert ">nps11<" not in page and ">comment<" not in page
    assert "0〜10" in page or "推奨" in page
    with app.app_context():
        audit.record(db.session, "export_made", "hr", None, kind="responses", wave="2026-04")
        audit.record(db.session, "export_made", "hr", None, kind="aggregate", wave="2026-04")
        db.session.commit()
    log = app.test_client().get("/transparency").get_data(as_text=True)
    assert "responses" not in log and "aggregate" not in log
