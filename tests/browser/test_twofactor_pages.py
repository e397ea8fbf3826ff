"""A report reader on a phone sets up two-factor sign-in and signs in with it, in both languages:
from the account page to the QR code and key, the first code, the recovery codes shown once,
then sign-out and the two-step sign-in.  Codes are made with pyotp from the key the page shows,
as an authenticator app would.  Every page fits the phone, passes axe-core without a serious or
critical finding and breaks no Content-Security-Policy rule; screenshots go to test-artifacts/."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from tests.browser.test_unit_pages import PHONE, axe_findings, sideways_overflow
from tests.twofactor_helpers import steady

WORDS = {
    "ja": {"set_up": "2段階認証を設定する", "switch_on": "有効にする", "kept": "保管しました",
           "on": "有効です", "sign_in": "ログイン", "left": "未使用のリカバリーコード：10 個"},
    "en": {"set_up": "Set up two-factor sign-in", "switch_on": "Switch on",
           "kept": "I have kept them", "on": "On.", "sign_in": "Sign in",
           "left": "Unused recovery codes: 10."},
}


def checked(page: Any, screenshot: Any, name: str) -> None:
    """The page fits the phone and has no serious accessibility finding; keep a picture."""
    assert sideways_overflow(page) == 0, name
    assert axe_findings(page) == [], name
    screenshot(page, name)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_reader_on_a_phone_sets_up_two_factor_sign_in_and_signs_in_with_it(
    live_server: Any, page_factory: Any, screenshot: Any, lang: str,
) -> None:
    words = WORDS[lang]
    email, password = live_server.create_user("leadership", f"boss-{lang}@browser.example.jp")
    page = page_factory(*PHONE, locale="ja-JP" if lang == "ja" else "en-US")
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server.url}/?lang={lang}")
    live_server.sign_in(page, "leadership")
    page.goto(f"{live_server.url}/account/password")
    page.get_by_role("link", name=words["set_up"]).click()
    checked(page, screenshot, f"twofactor-off-phone-{lang}")
    page.get_by_role("button", name=words["set_up"]).click()
    page.wait_for_load_state()
    qr = page.locator(".qr-box svg").bounding_box()
    assert qr is not None and qr["width"] >= 150  # big enough for a phone camera
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    checked(page, screenshot, f"twofactor-setup-phone-{lang}")
    steady()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.get_by_role("button", name=words["switch_on"]).click()
    page.wait_for_load_state()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    checked(page, screenshot, f"twofactor-recovery-codes-phone-{lang}")
    page.get_by_role("link", name=words["kept"]).click()
    page.wait_for_load_state()
    status = page.locator("main").inner_text()
    assert words["on"] in status and words["left"] in status
    assert codes[0] not in status  # shown once
    # Sign out and in again: the password, then a code (the next step's: the app's clock may
    # run ahead, and the one just used for set-up is spent).
    page.locator("form[action='/logout'] button").click()
    page.wait_for_load_state()
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/login/code")
    checked(page, screenshot, f"twofactor-code-step-phone-{lang}")
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name=words["sign_in"]).click()
    page.wait_for_load_state()
    assert page.url.rstrip("/").endswith("/reports")
    assert blocked == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_admin_on_a_phone_requires_two_factor_for_a_role(
    live_server: Any, page_factory: Any, screenshot: Any, lang: str,
) -> None:
    live_server.create_user("admin", f"admin-{lang}@browser.example.jp")
    page = page_factory(*PHONE, locale="ja-JP" if lang == "ja" else "en-US")
    page.goto(f"{live_server.url}/?lang={lang}")
    live_server.sign_in(page, "admin")
    page.goto(f"{live_server.url}/admin/settings")
    page.locator("#two-factor a").click()
    page.wait_for_load_state()
    page.check("input[name=roles][value=hr]")
    checked(page, screenshot, f"twofactor-required-phone-{lang}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("input[name=roles][value=hr]").is_checked()
    assert sideways_overflow(page) == 0 and axe_findings(page) == []
    page.uncheck("input[name=roles][value=hr]")  # leave the module's server as it was
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
