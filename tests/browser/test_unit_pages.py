"""The unit-first pages on a phone, in both languages: the admin's breakdown preview before a
wave opens, and the quarterly report's concurrent-post rule and coverage line.

The demo organisation (課/係 units, one 課長 each, a デジタル変革戦略室 of concurrent posts and
outside members) is what a town hall would see; each page must fit the phone's width and pass
axe-core without a serious or critical finding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from survey.db import db
from survey.demo import DemoSpec, seed_demo
from tests.conftest import ROOT, TOKEN_KEY

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)
QUARTER = "FY2026Q3"
#: What each language calls the preview's parts, the report's lines and the Other row.
WORDS = {
    "ja": {"preview": "集計の内訳を事前に確認", "units": "所属",
           "covers": "この内訳で表示しているのは", "rule": "本務の所属だけで集計",
           "other": "その他（表示できない小さなグループ）", "employment": "雇用形態"},
    "en": {"preview": "Preview the breakdowns", "units": "Units", "covers": "This breakdown covers",
           "rule": "Each answer counts once", "other": "Other (groups too small to show)",
           "employment": "Employment type"},
}


def axe_findings(page: Any, include: list[str] | None = None) -> list[str]:
    """axe-core's serious and critical findings on the page (or within ``include``), one each.

    The script is evaluated over the DevTools protocol, which the page's Content-Security-Policy
    does not govern, so the page is checked exactly as served.
    """
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE}: run `npm ci`")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async (include) => (await axe.run(include ? {include} : document,"
        " {resultTypes: ['violations']})).violations"
        ".map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 2)])",
        [[selector] for selector in include] if include else None)
    return [f"{rule} ({impact}): {targets}" for rule, impact, targets in found
            if impact in ("serious", "critical")]


def sideways_overflow(page: Any) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits the viewport)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.fixture(scope="module")
def demo_server(live_server: Any) -> Any:
    """The live app with the demo organisation's history, an admin and a leadership account."""
    with live_server.app.app_context():
        seed_demo(db.session, DemoSpec(150, 8, 1), TOKEN_KEY)
        db.session.remove()
    live_server.create_user("admin")
    live_server.create_user("leadership")
    return live_server


@pytest.mark.parametrize("language", ["ja", "en"])
def test_breakdown_preview_on_a_phone(demo_server: Any, page_factory: Callable[..., Any],
                                      screenshot: Callable[[Any, str], Any],
                                      language: str) -> None:
    words = WORDS[language]
    page = page_factory(*PHONE)
    demo_server.sign_in(page, "admin")
    page.goto(f"{demo_server.url}/admin/?lang={language}")
    page.get_by_role("button", name=words["preview"]).click()
    page.wait_for_load_state()

    assert "/admin/waves/preview" in page.url
    assert page.get_by_role("heading", name=words["units"], exact=True).is_visible()
    assert page.get_by_role("row", name="デジタル変革戦略室").first.is_visible()
    box = page.locator("ul.checks input").first.bounding_box()
    label = page.locator("ul.checks label").first.bounding_box()
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 6, \
        "a checkbox does not sit on its label's line"
    assert page.get_by_role("checkbox", name=words["employment"]).is_visible()
    open_form = page.locator("main form[action$='/admin/waves']")
    targets = [*open_form.locator("ul.checks li").all(), *open_form.locator("button").all()]
    assert len(targets) >= 6  # three columns, two rules, two buttons in the demo
    for target in targets:
        assert target.bounding_box()["height"] >= 44, f"too small to tap: {target.inner_text()}"
    assert sideways_overflow(page) <= 1
    assert axe_findings(page) == []
    screenshot(page, f"unit-preview-phone-{language}")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_report_coverage_line_on_a_phone(demo_server: Any, page_factory: Callable[..., Any],
                                         screenshot: Callable[[Any, str], Any],
                                         language: str) -> None:
    words = WORDS[language]
    page = page_factory(*PHONE)
    demo_server.sign_in(page, "leadership")
    page.goto(f"{demo_server.url}/reports/{QUARTER}?lang={language}")

    coverage = page.locator("#heatmap p.coverage")
    assert coverage.inner_text().startswith(words["covers"])
    assert page.locator(".report-meta", has_text=words["rule"]).is_visible()
    assert page.locator("#heatmap tbody th", has_text=words["other"]).is_visible()
    assert sideways_overflow(page) <= 1
    # The new lines and the response-rate table; the rest of the page has its own walk.
    assert axe_findings(page, [".report-meta", "#heatmap p.coverage", "#participation"]) == []
    coverage.scroll_into_view_if_needed()
    screenshot(page, f"unit-report-phone-{language}")
