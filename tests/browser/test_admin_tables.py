"""Admin and HR tables on a 390 px phone, in Japanese: each row reads as a card, nothing scrolls
sideways and every action is a full-size touch target; the desktop keeps the table.

The screen-reader check reads Chromium's own accessibility tree (over CDP), because a table
restyled with ``display: block`` may lose its table semantics there while the DOM keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

PHONE = (390, 844)  # iPhone 12-15 CSS pixels
DESKTOP = (1280, 900)
TOUCH = 44  # minimum touch target, CSS pixels (WCAG 2.5.5, Apple HIG)
ACTIONS = "table tbody tr td:last-child :is(a, button)"
PAGE_WIDTH = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def waves(live_server: Any) -> Any:
    """Two closed waves with answers, one open wave today, an admin and an HR account."""
    live_server.seed_history(staff=60, waves=2)
    live_server.open_wave("2026年5月 全職員", staff=30)
    live_server.create_user("admin")
    live_server.create_user("hr")
    # Mail buttons are offered only with a mail server; queueing never contacts it.
    live_server.app.config["MAIL_SERVER"] = "127.0.0.1"
    return live_server


def fits_width(page: Any) -> None:
    """Neither the page nor any table wrapper scrolls sideways."""
    sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(PAGE_WIDTH), f"page is {sizes[0]}px wide in a {sizes[1]}px viewport"
    hidden = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)")
    assert all(extra <= 1 for extra in hidden), f"tables scroll sideways by {hidden}px"


def ax_roles(page: Any) -> set[str]:
    """The roles in Chromium's accessibility tree for the page."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return {node.get("role", {}).get("value") for node in nodes if not node.get("ignored")}


def test_admin_manages_waves_on_a_phone(
    waves: Any, page_factory: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    page = page_factory(*PHONE)
    waves.sign_in(page, "admin")
    response = page.goto(f"{waves.url}/admin/")
    assert response is not None and response.status == 200
    statuses = page.locator("table tbody .badge").all_inner_texts()
    assert "受付中" in statuses and "締切済み" in statuses, statuses  # open and closed waves

    fits_width(page)
    width = page.evaluate("window.innerWidth")
    actions = page.locator(ACTIONS)
    assert actions.count() >= 4, "the open wave shows no actions"
    for action in actions.all():
        name = action.inner_text()
        action.scroll_into_view_if_needed()
        assert action.is_visible(), name
        box = action.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{name!r} is off screen: {box}"
        assert box["height"] >= TOUCH, f"{name!r} is {box['height']}px tall"
    assert page.locator("table tbody td:not([data-label])").count() == 0, "a cell has no label"
    assert {"table", "columnheader", "rowheader", "cell"} <= ax_roles(page)

    actions.first.focus()
    outline = actions.first.evaluate("a => getComputedStyle(a).outlineStyle")
    assert outline == "solid", "the focused action shows no focus ring"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "admin-waves-phone")


def test_admin_waves_stay_a_table_on_a_desktop(
    waves: Any, page_factory: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    page = page_factory(*DESKTOP)
    waves.sign_in(page, "admin")
    page.goto(f"{waves.url}/admin/")
    header = page.locator("table thead th").first
    assert header.is_visible()
    assert page.locator("table tbody tr").first.evaluate(
        "row => getComputedStyle(row).display") == "table-row"
    fits_width(page)
    for action in page.locator(ACTIONS).all():
        assert action.is_visible(), action.inner_text()
    screenshot(page, "admin-waves-desktop")


@pytest.mark.parametrize("role, path, name", [
    ("admin", "/admin/audit", "admin-audit-phone"),
    ("admin", "/roster", "admin-roster-phone"),
    ("hr", "/hr/", "hr-exports-phone"),
])
def test_other_tables_fit_a_phone(
    waves: Any, page_factory: Callable[..., Any], screenshot: Callable[..., Any],
    role: str, path: str, name: str
) -> None:
    page = page_factory(*PHONE)
    waves.sign_in(page, role)
    response = page.goto(f"{waves.url}{path}")
    assert response is not None and response.status == 200
    assert page.locator("table").count() >= 1, "no table to check"
    fits_width(page)
    unlabelled = page.locator("table.stack tbody td:not([data-label])")
    assert unlabelled.count() == 0, "a cell has no label"
    controls = "table tbody :is(a, button, select, input:not([type=hidden]))"
    for control in page.locator(controls).all():
        box = control.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE[0], control.inner_html()
    screenshot(page, name)
