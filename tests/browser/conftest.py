"""Real-browser fixtures: the real app served on a loopback port, and Debian's Chromium.

``live_server`` builds the application with ``create_app`` on its own temporary SQLite database
(migrated with ``init-db``, CSRF on, as in production) and serves it with werkzeug's threaded
server in a background thread.  Its helpers seed through the same services the CLI uses.
``page_factory(width, height)`` opens a fresh browser context (cookies not shared) at that size;
``screenshot(page, name)`` writes ``test-artifacts/<name>.png`` (git-ignored).

Every test in this folder is marked ``browser``; they are skipped when Chromium is missing.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from survey.db import db
from tests.conftest import PASSWORD, ROOT, SECRET, TOKEN_KEY, TWOFACTOR_KEY, roster_rows

CHROMIUM = os.environ.get("NARANU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    """The running application: its base ``url`` and seeding helpers."""

    app: Flask
    url: str
    server: BaseWSGIServer
    thread: threading.Thread
    users: dict[str, str] = field(default_factory=dict)

    def create_user(self, role: str, email: str | None = None) -> tuple[str, str]:
        """An account of ``role``; returns (email, password)."""
        from survey.auth.services import create_user

        address = email or f"{role}@browser.example.jp"
        with self.app.app_context():
            create_user(db.session, address, role, PASSWORD)
            db.session.commit()
        self.users[role] = address
        return address, PASSWORD

    def sign_in(self, page: Any, role: str) -> None:
        """Sign ``page`` in through the login form with the account made for ``role``."""
        page.goto(f"{self.url}/login")
        page.fill("input[name=email]", self.users[role])
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()

    def open_wave(self, label: str = "browser wave", staff: int = 30) -> list[str]:
        """Import a roster of ``staff`` people, open a wave today; returns absolute links."""
        from survey.org_settings import current_thresholds, group_hierarchy
        from survey.principles.services import survey_by_name
        from survey.roster.services import import_roster
        from survey.waves.services import WavePlan, invitation_links, open_wave, today

        with self.app.app_context():
            import_roster(db.session, roster_rows(staff))
            survey = survey_by_name(db.session, None)
            plan = WavePlan(label, today(), today() + dt.timedelta(days=14))
            wave = open_wave(db.session, survey, plan, current_thresholds(db.session),
                             group_hierarchy(db.session), TOKEN_KEY)
            db.session.commit()
            links = invitation_links(db.session, wave, TOKEN_KEY, self.url)
        return [link for _email, link in links]

    def seed_history(self, staff: int = 60, waves: int = 2) -> None:
        """Closed waves with answers (the ``seed-demo`` history), so reports have quarters."""
        result = self.app.test_cli_runner().invoke(
            args=["seed-demo", "--staff", str(staff), "--waves", str(waves), "--seed", "3"])
        assert result.exit_code == 0, result.output


def _serve(tmp: Path, **overrides: Any) -> LiveServer:
    database = tmp / "naranu.sqlite3"
    config = {
        "SECRET_KEY": SECRET,
        "TOKEN_KEY": TOKEN_KEY,
        "TWOFACTOR_KEY": TWOFACTOR_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
    }
    config.update(overrides)
    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    port = free_port()
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return LiveServer(app, f"http://127.0.0.1:{port}", server, thread)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on a free loopback port, on a fresh migrated SQLite database (per module)."""
    live = _serve(tmp_path_factory.mktemp("live"))
    yield live
    live.server.shutdown()
    live.thread.join(timeout=10)
    with live.app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never downloads a browser)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # .ci/run installs it: a missing browser there is a failure
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page_factory(browser: Any) -> Iterator[Callable[..., Any]]:
    """``page_factory(width, height, locale="ja-JP")`` → a page in a fresh browser context."""
    contexts: list[Any] = []

    def build(width: int = 1280, height: int = 800, locale: str = "ja-JP", **options: Any) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale=locale,
            is_mobile=width < 600, has_touch=width < 600, accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


@pytest.fixture()
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, name)`` saves a full-page PNG to ``test-artifacts/`` and returns it."""

    def take(page: Any, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Impacts that fail a page (axe's "minor" and "moderate" are reported by the test, not failed).
AXE_FAILING = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script from npm (``make test`` runs ``npm ci``; see package.json)."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"no axe-core at {AXE}: run `npm ci`")
        pytest.skip(f"no axe-core at {AXE}: run `npm ci`")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any, source: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands, one line each.

    The script is evaluated over the DevTools protocol, which the page's Content-Security-Policy
    (``script-src 'self'``) does not govern, so the page is checked exactly as served.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))"
                          ".violations.map(v => [v.id, v.impact, v.nodes.length,"
                          " v.nodes.slice(0, 2).map(n => n.target.join(' '))])")
    return [f"{rule} ({impact}, {count}×: {', '.join(targets)})"
            for rule, impact, count, targets in found if impact in AXE_FAILING]
