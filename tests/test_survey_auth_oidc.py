"""Sign-in through the organisation's identity provider, against a real OpenID Connect provider.

The provider (:mod:`tests.oidc_provider`) runs in its own process on a loopback port; naranu
talks to it over HTTP as it would to Entra ID or Google.  The test plays the browser, carrying
the redirects between the Flask test client and the provider's authorization page.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from joserfc.errors import JoseError
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from survey.app_config import environment_overrides
from survey.auth.oidc import CLIENT_KEY, REFUSED, id_token_rules
from survey.auth.oidc_settings import SETTINGS_KEY, read_settings
from survey.auth.services import create_user
from survey.auth.sessions import ISSUED, SEEN
from survey.db import db
from survey.models import AuditEvent, User
from tests.conftest import PASSWORD
from tests.oidc_provider import approve, path_and_query, provider_user, running_provider
from tests.oidc_provider import register_client as register

REDIRECT_URI = "http://survey.example/login/oidc/callback"  # PUBLIC_BASE_URL of the tests


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The identity provider's issuer URL."""
    with running_provider(tmp_path_factory.mktemp("oidc") / "provider.log") as issuer:
        yield issuer


def register_client(issuer: str) -> dict[str, Any]:
    return register(issuer, REDIRECT_URI)


def oidc_config(issuer: str, registered: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": registered["client_id"],
            "OIDC_CLIENT_SECRET": registered["client_secret"], "OIDC_DISPLAY_NAME": "Entra ID",
            **extra}


def town_app(make_app: Callable[..., Flask], issuer: str, accounts: tuple[str, ...] = (),
             **settings: Any) -> Flask:
    """An app registered with ``issuer`` (and these settings), with HR accounts ``accounts``."""
    app = make_app(**oidc_config(issuer, register_client(issuer), **settings))
    with app.app_context():
        for email in accounts:
            create_user(db.session, email, "hr", PASSWORD)
        db.session.commit()
    return app


@pytest.fixture()
def app(make_app: Callable[..., Flask], provider: str) -> Flask:
    return town_app(make_app, provider)


def member(issuer: str, make_user: Callable[..., Any], name: str, role: str = "hr") -> str:
    """A naranu account ``name@town.example.jp`` and the same verified address at the
    provider; returns the provider's subject."""
    email = f"{name}@town.example.jp"
    make_user(role, email)
    return provider_user(issuer, name, email=email, email_verified=True)


def authorize_at_provider(start: Any, sub: str) -> str:
    """Follow naranu's redirect to the provider and sign in there as ``sub``; returns the
    path and query the provider sends the browser back to."""
    assert start.status_code == 302, start.get_data(as_text=True)
    back = approve(start.headers["Location"], sub)
    assert back.startswith(REDIRECT_URI + "?")
    return path_and_query(back)


def sign_in(client: FlaskClient, sub: str, next_path: str | None = None) -> Any:
    """The whole round trip: naranu → provider → naranu's callback (its response)."""
    start = client.get("/login/oidc", query_string={"next": next_path} if next_path else {})
    return client.get(authorize_at_provider(start, sub))


def refusals(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == REFUSED))
        found = [dict(event.detail) for event in events]
        db.session.remove()
        return found


def flashed(client: FlaskClient, response: Any) -> str:
    """The login page the refused browser is sent back to, with its message."""
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    return client.get("/login").get_data(as_text=True)


def test_an_active_account_signs_in_and_the_session_ends_on_sign_out(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    make_user("hr", "Hanako.Sato@town.example.jp")
    client = app.test_client()
    sub = provider_user(provider, "sato", email="hanako.sato@town.example.jp",
                        email_verified=True)
    start = client.get("/login/oidc")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["nonce"] and query["state"] and query["scope"] == ["openid email"]
    assert query["redirect_uri"] == [REDIRECT_URI]
    done = client.get(authorize_at_provider(start, sub))
    assert done.status_code == 302 and done.headers["Location"] == "/hr/"
    assert client.get("/hr/").status_code == 200
    with client.session_transaction() as session:
        assert isinstance(session[ISSUED], int) and session[SEEN] == session[ISSUED]
        copied = client.get_cookie("session")
    assert copied is not None
    assert client.post("/logout").status_code == 302
    assert client.get("/hr/").status_code == 302  # signed out
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert thief.get("/hr/").status_code == 302  # the session_version moved on
    assert refusals(app) == []


def test_the_page_asked_for_is_reached_after_sign_in(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    make_user("admin", "admin@town.example.jp")
    sub = provider_user(provider, "admin", email="admin@town.example.jp")  # Entra: no
    done = sign_in(app.test_client(), sub, next_path="/admin/accounts")    # email_verified
    assert done.headers["Location"] == "/admin/accounts"


def test_the_idle_limit_applies_to_provider_sessions(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    sub = member(provider, make_user, "idle")
    client = app.test_client()
    sign_in(client, sub)
    with client.session_transaction() as session:
        session[SEEN] -= 31 * 60
    assert client.get("/hr/").status_code == 302


def test_an_unknown_address_is_refused_and_only_audited(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    client = app.test_client()
    sub = provider_user(provider, "stranger", email="stranger@town.example.jp",
                        email_verified=True, name="Stranger Person")
    client.get("/login?lang=en")
    page = flashed(client, sign_in(client, sub))
    assert ("There is no active naranu account for stranger@town.example.jp. "
            "Ask an administrator to invite you.") in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email.like("stranger%"))) is None
    assert refusals(app) == [{"reason": "unknown_account", "email": "stranger@town.example.jp"}]
    assert client.get("/hr/").status_code == 302
    make_user("admin", "admin@town.example.jp")
    admin = app.test_client()
    admin.post("/login", data={"email": "admin@town.example.jp", "password": PASSWORD})
    log = admin.get("/admin/audit?lang=ja").get_data(as_text=True)
    assert ("stranger@town.example.jp の組織アカウントでのログインを拒否しました"
            "（アカウントがない）。") in log
    assert "未ログイン" in log


def test_an_unverified_address_is_refused(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    make_user("hr", "unverified@town.example.jp")
    client = app.test_client()
    sub = provider_user(provider, "unverified", email="unverified@town.example.jp",
                        email_verified=False)
    page = flashed(client, sign_in(client, sub))
    assert "メールアドレス unverified@town.example.jp" in page
    assert refusals(app) == [{"reason": "email_unverified",
                              "email": "unverified@town.example.jp"}]
    assert client.get("/hr/").status_code == 302


def test_a_deactivated_account_is_refused(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    user = make_user("leadership", "gone@town.example.jp")
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    client = app.test_client()
    sub = provider_user(provider, "gone", email="gone@town.example.jp", email_verified=True)
    flashed(client, sign_in(client, sub))
    assert refusals(app) == [{"reason": "inactive_account", "email": "gone@town.example.jp"}]
    assert client.get("/reports/").status_code == 302


def test_a_callback_with_another_state_is_refused(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    """Login CSRF: a code obtained in the attacker's browser must not sign in the victim."""
    sub = member(provider, make_user, "victim")
    attacker = app.test_client()
    forged = authorize_at_provider(attacker.get("/login/oidc"), sub)
    victim = app.test_client()
    victim.get("/login/oidc")  # the victim has a sign-in of their own under way
    page = flashed(victim, victim.get(forged))
    assert "このブラウザで始めたログインではないか" in page
    assert refusals(app) == [{"reason": "state_mismatch"}]
    assert victim.get("/hr/").status_code == 302


def test_a_replayed_nonce_is_refused(
    app: Flask, provider: str, make_user: Callable[..., Any],
) -> None:
    """The ID token must carry the nonce this browser's sign-in started with."""
    sub = member(provider, make_user, "nonce")
    client = app.test_client()
    back = authorize_at_provider(client.get("/login/oidc"), sub)
    with client.session_transaction() as session:
        key = next(name for name in session if name.startswith("_state_naranu_"))
        state = session[key]
        state["data"]["nonce"] = "a-nonce-from-another-sign-in"
        session[key] = state
    flashed(client, client.get(back))
    assert refusals(app) == [{"reason": "token_invalid"}]


def test_an_address_outside_the_allowed_domains_is_refused(
    make_app: Callable[..., Flask], provider: str,
) -> None:
    app = town_app(make_app, provider, ("someone@gmail.example",),
                   OIDC_ALLOWED_DOMAINS="town.example.jp, city.example.jp")
    client = app.test_client()
    sub = provider_user(provider, "outside", email="someone@gmail.example", email_verified=True)
    client.get("/login?lang=en")
    page = flashed(client, sign_in(client, sub))
    assert "Addresses like someone@gmail.example cannot sign in here." in page
    assert refusals(app) == [{"reason": "domain_not_allowed", "email": "someone@gmail.example"}]


def test_the_configured_claim_holds_the_address(
    make_app: Callable[..., Flask], provider: str,
) -> None:
    app = town_app(make_app, provider, ("claim@town.example.jp",), OIDC_EMAIL_CLAIM="upn")
    client = app.test_client()
    sub = provider_user(provider, "claim", upn="claim@town.example.jp")
    assert sign_in(client, sub).headers["Location"] == "/hr/"
    missing = provider_user(provider, "noclaim", email="claim@town.example.jp")
    flashed(client, sign_in(app.test_client(), missing))
    assert refusals(app) == [{"reason": "email_missing"}]


def test_an_expired_id_token_is_refused(
    make_app: Callable[..., Flask], tmp_path: Path,
) -> None:
    """A provider whose tokens expired ten minutes ago (past authlib's two minutes' leeway)."""
    with running_provider(tmp_path / "expired.log", token_max_age=-600) as issuer:
        app = town_app(make_app, issuer, ("late@town.example.jp",))
        client = app.test_client()
        sub = provider_user(issuer, "late", email="late@town.example.jp", email_verified=True)
        flashed(client, sign_in(client, sub))
    assert refusals(app) == [{"reason": "token_invalid"}]


def real_id_token(issuer: str, registered: dict[str, Any], sub: str) -> dict[str, Any]:
    """A genuine token response from the provider for ``registered`` (played as its client)."""
    start = requests.get(
        f"{issuer}/oauth2/authorize", allow_redirects=False, timeout=10,
        params={"client_id": registered["client_id"], "redirect_uri": REDIRECT_URI,
                "response_type": "code", "scope": "openid email", "nonce": "n-1",
                "state": "s-1"})
    assert start.status_code == 200
    answer = requests.post(start.url, data={"sub": sub}, allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = requests.post(f"{issuer}/oauth2/token", timeout=10,
                          auth=(registered["client_id"], registered["client_secret"]),
                          data={"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT_URI})
    token.raise_for_status()
    return dict(token.json())


def test_an_id_token_for_another_client_or_issuer_is_rejected(
    app: Flask, provider: str,
) -> None:
    """Signed by the right keys, but issued to another application, or under another issuer
    name: naranu's client rejects both (its own token passes the same check)."""
    sub = provider_user(provider, "audience", email="audience@town.example.jp",
                        email_verified=True)
    with app.app_context():
        client = app.extensions[CLIENT_KEY]
        rules = partial(id_token_rules, client, app.extensions[SETTINGS_KEY])
        registered = {"client_id": client.client_id, "client_secret": client.client_secret}
        own = real_id_token(provider, registered, sub)
        assert client.parse_id_token(own, nonce="n-1", claims_options=rules())
        other = real_id_token(provider, register_client(provider), sub)
        with pytest.raises(JoseError, match="aud"):
            client.parse_id_token(other, nonce="n-1", claims_options=rules())
        elsewhere = provider.replace("127.0.0.1", "localhost")  # same keys, another issuer
        with pytest.raises(JoseError, match="iss"):
            client.parse_id_token(real_id_token(elsewhere, registered, sub), nonce="n-1",
                                  claims_options=rules())


def test_a_discovery_document_naming_another_issuer_is_refused(
    make_app: Callable[..., Flask], provider: str,
) -> None:
    """A look-alike discovery URL whose document names the real provider: naranu stops before
    sending anyone anywhere (OpenID Connect Discovery 1.0, section 4.3)."""
    document = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()
    impostor = make_server("127.0.0.1", 0, Response(json.dumps(document),
                                                    content_type="application/json"))
    thread = threading.Thread(target=impostor.serve_forever, daemon=True)
    thread.start()
    try:
        issuer = f"http://127.0.0.1:{impostor.server_port}"
        app = make_app(**oidc_config(issuer, register_client(provider)))
        client = app.test_client()
        flashed(client, client.get("/login/oidc"))
    finally:
        impostor.shutdown()
        thread.join(timeout=10)
    assert refusals(app) == [{"reason": "issuer_mismatch"}]


def test_the_login_rate_limit_covers_the_provider_routes(
    make_app: Callable[..., Flask], provider: str,
) -> None:
    app = make_app(**oidc_config(provider, register_client(provider)),
                   RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    assert [client.get("/login/oidc/callback?state=x&code=y").status_code
            for _ in range(3)] == [302, 302, 429]
    assert [client.get("/login/oidc").status_code for _ in range(3)] == [302, 302, 429]


def test_without_a_provider_there_is_no_button_and_no_route(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app().test_client()
    assert "/login/oidc" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?state=x&code=y").status_code == 404


def test_a_provider_adds_two_anonymous_sign_in_routes_and_nothing_else(
    make_app: Callable[..., Flask], app: Flask,
) -> None:
    """The route matrices (test_survey_routes_roles, test_attack_coverage) check the app
    without a provider; these are the only routes a provider adds, and they show no figure."""
    def served(application: Flask) -> set[tuple[str, frozenset[str]]]:
        return {(rule.endpoint, frozenset((rule.methods or set()) - {"HEAD", "OPTIONS"}))
                for rule in application.url_map.iter_rules()}

    assert served(app) - served(make_app()) == {("oidc.start", frozenset({"GET"})),
                                                ("oidc.callback", frozenset({"GET"}))}


def test_the_button_names_the_provider_in_both_languages(app: Flask) -> None:
    client = app.test_client()
    assert "Entra IDでログイン" in client.get("/login?lang=ja").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in with Entra ID" in english
    assert 'href="/login/oidc"' in english


def test_oidc_only_keeps_password_sign_in_for_administrators(
    make_app: Callable[..., Flask], provider: str,
) -> None:
    app = make_app(**oidc_config(provider, register_client(provider), OIDC_ONLY=True))
    with app.app_context():
        for role in ("admin", "hr"):
            create_user(db.session, f"{role}@town.example.jp", role, PASSWORD)
        db.session.commit()
    hr = app.test_client()
    refused = hr.post("/login?lang=en", data={"email": "hr@town.example.jp",
                                              "password": PASSWORD})
    assert refused.status_code == 200
    assert "signs in through its own account service" in refused.get_data(as_text=True)
    assert hr.get("/hr/").status_code == 302
    admin = app.test_client()
    assert "kept for administrators" in admin.get("/login?lang=en").get_data(as_text=True)
    assert admin.post("/login", data={"email": "admin@town.example.jp",
                                      "password": PASSWORD}).status_code == 302
    assert admin.get("/admin/").status_code == 200


@pytest.mark.parametrize(("settings", "problem"), [
    ({"OIDC_ISSUER": "https://accounts.google.com"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
    ({"OIDC_ISSUER": "https://accounts.google.com", "OIDC_CLIENT_ID": "x"},
     "OIDC_CLIENT_SECRET"),
    ({"OIDC_ONLY": True}, "nobody could sign in"),
])
def test_an_incomplete_configuration_stops_the_start(
    make_app: Callable[..., Flask], settings: dict[str, Any], problem: str,
) -> None:
    with pytest.raises(ValueError, match=problem):
        make_app(**settings)


def test_the_environment_configures_the_provider() -> None:
    overrides = environment_overrides({
        "NARANU_OIDC_ISSUER": "https://login.microsoftonline.com/tid/v2.0",
        "NARANU_OIDC_CLIENT_ID": "app-id", "NARANU_OIDC_CLIENT_SECRET": "secret",
        "NARANU_OIDC_EMAIL_CLAIM": "preferred_username", "NARANU_OIDC_ONLY": "true",
        "NARANU_OIDC_ALLOWED_DOMAINS": "Town.Example.JP, @city.example.jp",
    })
    settings = read_settings(overrides)
    assert settings is not None
    assert settings.metadata_url == (
        "https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration")
    assert settings.allowed_domains == ("town.example.jp", "city.example.jp")
    assert settings.email_claim == "preferred_username" and settings.password_for_admins_only
