"""Sign-in through the organisation's identity provider: its settings and what they allow.

Kept apart from :mod:`survey.auth.oidc` (the client and its routes) so that the password
login view can ask :func:`password_sign_in_allowed` without importing the OpenID Connect
client.  The settings are read once, in ``create_app`` (:func:`read_settings`), from the
application config, which takes them from ``instance/config.py`` or ``NARANU_OIDC_*``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from survey.models import Role, User

#: Where create_app keeps the settings (``app.extensions``); absent = sign-in by password only.
SETTINGS_KEY = "naranu.oidc_settings"


@dataclass(frozen=True)
class OidcSettings:
    """One identity provider, as the town hall's IT department registered naranu with it."""

    issuer: str
    client_id: str
    client_secret: str
    #: Shown on the button ("Sign in with …"); None = "your organisation account".
    display_name: str | None
    #: The ID token claim that holds the e-mail address (``email``, or ``preferred_username``
    #: for an Entra ID tenant whose sign-in names are the mail addresses).
    email_claim: str
    #: Lower-case domains an address must end in (after the ``@``); empty = any domain.
    allowed_domains: tuple[str, ...]
    #: Password sign-in is refused to everyone but administrators (their break-glass).
    password_for_admins_only: bool

    @property
    def metadata_url(self) -> str:
        """The discovery document (OpenID Connect Discovery 1.0, section 4)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def read_settings(config: Mapping[str, Any]) -> OidcSettings | None:
    """The identity provider configured in ``config``, or None when ``OIDC_ISSUER`` is unset.

    Raises ``ValueError`` (the application does not start) when the issuer is set without its
    client credentials, or password sign-in is switched off with no provider to replace it.
    """
    issuer = (config.get("OIDC_ISSUER") or "").strip()
    if not issuer:
        if config.get("OIDC_ONLY"):
            raise ValueError("OIDC_ONLY is set but OIDC_ISSUER is not: nobody could sign in")
        return None
    missing = [name for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config.get(name)]
    if missing:
        raise ValueError(f"OIDC_ISSUER is set but {' and '.join(missing)} not")
    return OidcSettings(
        issuer=issuer,
        client_id=str(config["OIDC_CLIENT_ID"]),
        client_secret=str(config["OIDC_CLIENT_SECRET"]),
        display_name=(config.get("OIDC_DISPLAY_NAME") or "").strip() or None,
        email_claim=(config.get("OIDC_EMAIL_CLAIM") or "email").strip(),
        allowed_domains=_domains(config.get("OIDC_ALLOWED_DOMAINS")),
        password_for_admins_only=bool(config.get("OIDC_ONLY")),
    )


def _domains(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"a.lg.jp, b.lg.jp"`` or a list → ``("a.lg.jp", "b.lg.jp")``."""
    items = value.split(",") if isinstance(value, str) else (value or ())
    return tuple(item.strip().lower().lstrip("@") for item in items if item.strip())


def current_settings() -> OidcSettings | None:
    """The current application's identity provider, if it has one."""
    settings: OidcSettings | None = current_app.extensions.get(SETTINGS_KEY)
    return settings


def password_sign_in_allowed(user: User) -> bool:
    """May ``user`` sign in with a password?  Always, unless ``OIDC_ONLY`` keeps it for admins."""
    settings = current_settings()
    return settings is None or not settings.password_for_admins_only or user.role == Role.ADMIN


def sign_in_button() -> dict[str, Any] | None:
    """The login page's provider button (template global ``oidc_sign_in()``), if configured."""
    settings = current_settings()
    if settings is None:
        return None
    label = (_("Sign in with %(name)s", name=settings.display_name) if settings.display_name
             else _("Sign in with your organisation account"))
    return {"label": label, "admins_only": settings.password_for_admins_only}
