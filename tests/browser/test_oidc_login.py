"""The identity provider's button on the login page, in a real browser, and a sign-in through it.

The app is served with a provider configured (a real OpenID Connect provider in its own
process, :mod:`tests.oidc_provider`); the phone-sized login page is checked in Japanese and
English with axe-core, and a member of HR signs in by the button, the provider's page and the
redirect back, then signs out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from survey.db import db
from tests.browser.conftest import LiveServer, _serve, axe_violations
from tests.oidc_provider import provider_user, running_provider

LABELS = {"ja": "Microsoft Entra IDでログイン", "en": "Sign in with Microsoft Entra ID"}


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    """The app, registered with the provider as an (unregistered, accepted) client."""
    folder = tmp_path_factory.mktemp("oidc-live")
    with running_provider(folder / "provider.log") as issuer:
        live = _serve(folder, OIDC_ISSUER=issuer, OIDC_CLIENT_ID="naranu-town-hall",
                      OIDC_CLIENT_SECRET="browser-test-secret",
                      OIDC_DISPLAY_NAME="Microsoft Entra ID")
        yield live, issuer
        live.server.shutdown()
        live.thread.join(timeout=10)
        with live.app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_button_fits_a_phone_and_passes_axe(
    town: tuple[LiveServer, str], page_factory: Callable[..., Any],
    screenshot: Callable[..., Any], axe_source: str, lang: str,
) -> None:
    live, _issuer = town
    page = page_factory(390, 844, locale="ja-JP" if lang == "ja" else "en-GB")
    page.goto(f"{live.url}/login?lang={lang}")
    button = page.get_by_role("link", name=LABELS[lang], exact=True)
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"login-oidc-{lang}-390")
    assert axe_violations(page, axe_source) == []


def test_a_member_of_hr_signs_in_through_the_provider_and_out_again(
    town: tuple[LiveServer, str], page_factory: Callable[..., Any],
) -> None:
    live, issuer = town
    email, _password = live.create_user("hr", "hanako.sato@town.example.jp")
    provider_user(issuer, "hanako", email=email, email_verified=True)
    page = page_factory(390, 844)
    page.goto(f"{live.url}/login")
    page.get_by_role("link", name=LABELS["ja"]).click()
    page.wait_for_load_state()
    assert page.url.startswith(issuer)  # the provider's own page
    page.fill("input[name=sub]", "hanako")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{live.url}/hr/")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_load_state()
    page.goto(f"{live.url}/hr/")
    assert page.url.startswith(f"{live.url}/login")
