"""End to end in a real Chromium: a staff member answers on a phone, in Japanese; a second visit
is refused politely; leadership reads a quarter; HR reaches the exports page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PHONE = (390, 844)  # iPhone 12-15 CSS pixels
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def seeded(live_server: Any) -> Any:
    """History for the reports (two closed quarterly waves), today's wave, and accounts."""
    live_server.seed_history(staff=60, waves=2)
    live_server.links = live_server.open_wave("browser 2026", staff=30)
    live_server.create_user("leadership")
    live_server.create_user("hr")
    return live_server


def test_staff_answers_on_a_phone_in_japanese_once(
    seeded: Any, page_factory: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    page = page_factory(*PHONE)
    link = seeded.links[0]

    first = page.goto(link)
    assert first is not None and first.status == 200
    assert page.locator("html").get_attribute("lang") == "ja"
    heading = page.locator("h1").first.inner_text()
    assert JAPANESE.search(heading), heading
    question = page.locator("fieldset.question legend").first
    assert question.is_visible() and JAPANESE.search(question.inner_text())
    # Nothing is wider than the phone: no sideways scrolling on survey day.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"page is {width}px wide on a {PHONE[0]}px phone"
    screenshot(page, "staff-form-phone-ja")

    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("label").nth(3).click()  # the 4th choice of every scale
    page.locator("textarea").first.fill("窓口の手続きが分かりやすくなりました。")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state()
    assert page.locator("section[role=status] h1").is_visible()  # the thank-you page
    screenshot(page, "staff-thanks-phone-ja")

    again = page.goto(link)
    assert again is not None and again.status == 410
    assert page.locator("h1").inner_text().strip()
    assert "Traceback" not in page.content()
    screenshot(page, "staff-second-visit-phone-ja")


def test_leadership_reads_a_quarter(
    seeded: Any, page_factory: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    page = page_factory(1280, 900)
    seeded.sign_in(page, "leadership")
    assert page.url.rstrip("/").endswith("/reports")
    home = page.goto(f"{seeded.url}/reports/")
    assert home is not None and home.status == 200
    quarter_links = page.locator("a[href*='/reports/FY']")
    assert quarter_links.count() > 0, "the reports home lists no quarter"
    quarter_links.first.click()
    page.wait_for_load_state()
    assert re.search(r"/reports/FY\d{4}Q[1-4]", page.url)
    assert page.locator("h1").first.inner_text().strip()
    screenshot(page, "leadership-quarter")


def test_hr_reaches_the_exports(
    seeded: Any, page_factory: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    page = page_factory(1280, 900)
    seeded.sign_in(page, "hr")
    response = page.goto(f"{seeded.url}/hr/")
    assert response is not None and response.status == 200
    assert page.locator("h1").first.inner_text().strip()
    downloads = page.locator("a[download], a[href*='export'], a[href$='.csv'], a[href$='.xlsx']")
    if downloads.count():
        with page.expect_download() as info:
            downloads.first.click()
        download = info.value
        path = download.path()
        assert path is not None and Path(path).stat().st_size > 0
    screenshot(page, "hr-exports")
