"""Sign in with the organisation's identity provider (OpenID Connect, authorization code flow).

Authlib's Flask client does the protocol: discovery from the issuer's
``/.well-known/openid-configuration``, PKCE (S256), ``state`` kept in the signed session
cookie, and a ``nonce`` it checks in the ID token together with the token's signature (the
provider's published keys), issuer, audience and expiry.  naranu adds two checks of its own:
the discovered ``issuer`` must be the configured one (Discovery 1.0, section 4.3), and the
sign-in must carry an ID token at all.

The provider only vouches for an e-mail address.  It never creates an account and never
grants a role: an address signs in only when it belongs to an existing, active naranu account
(:func:`account_for_claims`).  A refused sign-in writes one audit entry naming the reason and,
when known, the address, and nothing else.  A session made here is the same Flask-Login
session as a password sign-in (``session_version``, idle and absolute limits of
:mod:`survey.auth.sessions`), and both routes count against the login rate limit.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_user
from joserfc.errors import JoseError

from survey import audit, ratelimit
from survey.auth.oidc_messages import refusal_message
from survey.auth.oidc_settings import (
    SETTINGS_KEY,
    OidcSettings,
    current_settings,
    read_settings,
    sign_in_button,
)
from survey.auth.services import remember_language
from survey.auth.sessions import account_by_email
from survey.auth.views import _safe_next, home_url
from survey.db import DbSession, begin_write, db
from survey.extensions import limiter
from survey.models import User
from survey.service_error import ServiceError

log = logging.getLogger(__name__)

bp = Blueprint("oidc", __name__, url_prefix="/login/oidc")

CLIENT_KEY = "naranu.oidc_client"
#: Where to go after the provider sends the user back (a local path, checked at the start).
NEXT_KEY = "_oidc_next"
#: Seconds to wait for the provider's discovery, key and token endpoints.
PROVIDER_TIMEOUT = 10
#: The audit action of a refused sign-in.
REFUSED = "oidc_sign_in_refused"


class SignInRefused(ServiceError):
    """Why the provider's answer signs nobody in (``params["email"]`` when it named one)."""


def init_oidc(app: Flask) -> None:
    """Read the provider settings, register the client and the two routes.

    Without a provider there are no routes at all (``/login/oidc`` answers 404 like any
    unknown path) and the login page shows no button.
    """
    app.jinja_env.globals["oidc_sign_in"] = sign_in_button
    settings = read_settings(app.config)
    if settings is None:
        return
    app.register_blueprint(bp)
    oauth = OAuth(app)
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[CLIENT_KEY] = oauth.register(
        "naranu", client_id=settings.client_id, client_secret=settings.client_secret,
        server_metadata_url=settings.metadata_url,
        client_kwargs={"scope": "openid email", "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT},
    )


def account_for_claims(session: DbSession, claims: dict[str, Any],
                       settings: OidcSettings) -> User:
    """The active account the verified ID token's e-mail belongs to, or :class:`SignInRefused`."""
    email = claims.get(settings.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused("email_missing")
    email = email.strip().lower()
    verified = claims.get("email_verified", True)  # Entra ID does not send it
    if verified is not True and str(verified).lower() != "true":
        raise SignInRefused("email_unverified", email=email)
    if settings.allowed_domains and email.rsplit("@", 1)[1] not in settings.allowed_domains:
        raise SignInRefused("domain_not_allowed", email=email)
    user = account_by_email(session, email)
    if user is None:
        raise SignInRefused("unknown_account", email=email)
    if not user.active:
        raise SignInRefused("inactive_account", email=email)
    return user


@bp.get("")
@limiter.limit(ratelimit.login_limit)
def start() -> ResponseReturnValue:
    """Send the browser to the identity provider."""
    settings, client = _configured()
    if current_user.is_authenticated:
        return redirect(home_url())
    try:
        _check_issuer(client, settings)
    except requests.RequestException:
        log.exception("OpenID Connect discovery failed")
        return _refuse("provider_unreachable")
    except SignInRefused as refusal:
        return _refuse(refusal.code)
    session[NEXT_KEY] = _safe_next()
    redirect_uri = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(".callback")
    return client.authorize_redirect(redirect_uri)


@bp.get("/callback")
@limiter.limit(ratelimit.login_limit)
def callback() -> ResponseReturnValue:
    """The provider sends the browser back here with a code; sign in its account or refuse."""
    settings, client = _configured()
    try:
        claims = _verified_claims(client, settings)
        user = account_for_claims(db.session, claims, settings)
    except SignInRefused as refusal:
        return _refuse(refusal.code, refusal.params.get("email"))
    begin_write(db.session)
    remember_language(db.session, user, str(get_locale() or "ja"))
    db.session.commit()
    login_user(user)
    return redirect(session.pop(NEXT_KEY, None) or home_url())


def _configured() -> tuple[OidcSettings, FlaskOAuth2App]:
    """The provider and its client (the routes exist only where both do)."""
    settings, client = current_settings(), current_app.extensions[CLIENT_KEY]
    if settings is None:
        raise RuntimeError("the OIDC routes are registered without a provider")
    return settings, client


def _check_issuer(client: FlaskOAuth2App, settings: OidcSettings) -> None:
    """The discovery document must name the issuer naranu was configured with."""
    issuer = str(client.load_server_metadata().get("issuer", ""))
    if issuer.rstrip("/") != settings.issuer.rstrip("/"):
        log.error("OpenID Connect issuer mismatch: configured %r, discovered %r",
                  settings.issuer, issuer)
        raise SignInRefused("issuer_mismatch")


def id_token_rules(client: FlaskOAuth2App, settings: OidcSettings) -> dict[str, Any]:
    """What the ID token must say beyond a valid signature, nonce and expiry: issued by the
    configured issuer, to naranu.  (Authlib alone checks the audience only through ``azp``.)"""
    return {"iss": {"essential": True, "value": client.load_server_metadata()["issuer"]},
            "aud": {"essential": True, "value": settings.client_id}}


def _verified_claims(client: FlaskOAuth2App, settings: OidcSettings) -> dict[str, Any]:
    """Exchange the code and validate the ID token; any failure is a :class:`SignInRefused`."""
    try:
        _check_issuer(client, settings)
        token = client.authorize_access_token(claims_options=id_token_rules(client, settings))
    except OAuthError as error:
        code = {"mismatching_state": "state_mismatch",
                "access_denied": "cancelled"}.get(error.error, "provider_error")
        log.warning("OpenID Connect sign-in failed: %s", error.error)
        raise SignInRefused(code) from error
    except JoseError as error:
        log.warning("OpenID Connect ID token rejected: %s", error)
        raise SignInRefused("token_invalid") from error
    except requests.RequestException as error:
        log.exception("OpenID Connect token request failed")
        raise SignInRefused("provider_unreachable") from error
    claims = token.get("userinfo")
    if not claims:  # no ID token, so nothing was verified
        raise SignInRefused("token_invalid")
    return dict(claims)


def _refuse(code: str, email: str | None = None) -> ResponseReturnValue:
    """Audit the refusal (reason and address only), tell the user why, back to the login page."""
    detail: dict[str, Any] = {"reason": code} | ({"email": email} if email else {})
    begin_write(db.session)
    audit.record(db.session, REFUSED, "anonymous", None, **detail)
    db.session.commit()
    session.pop(NEXT_KEY, None)
    flash(refusal_message(code, email), "error")
    return redirect(url_for("auth.login"))
