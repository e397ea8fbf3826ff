"""The quarterly report in a real browser at phone and desktop widths, as leadership."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

QUARTER = "FY2026Q3"


@pytest.fixture(scope="module")
def seeded_server(live_server: Any) -> Any:
    """The live app with a short history and a leadership account."""
    live_server.seed_history(staff=60, waves=3)
    live_server.create_user("leadership")
    return live_server


@pytest.mark.browser
@pytest.mark.parametrize("width, height, name", [(390, 844, "phone"), (1280, 900, "desktop")])
def test_report_page_renders(seeded_server: Any, page_factory: Callable[..., Any],
                             screenshot: Callable[[Any, str], Any], width: int, height: int,
                             name: str) -> None:
    page = page_factory(width, height)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    seeded_server.sign_in(page, "leadership")
    page.goto(f"{seeded_server.url}/reports/{QUARTER}")
    assert page.locator("h2", has_text="要点").is_visible()
    assert page.locator("svg[role=img]").count() >= 3
    page.locator("details.chart-data summary").first.click()
    assert page.locator("details.chart-data table").first.is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"
    assert not [e for e in errors if "Content Security Policy" in e]
    screenshot(page, f"report-{name}")
    page.goto(f"{seeded_server.url}/reports/?lang=en")
    screenshot(page, f"report-home-{name}")
