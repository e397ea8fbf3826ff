"""The words for refused sign-ins through the identity provider (:mod:`survey.auth.oidc`):
for the person who tried, and for the audit log an administrator reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

#: code → its sentence, given the address the provider named (empty when it named none).
_WORDING: dict[str, Callable[[str], str]] = {
    "state_mismatch": lambda _email: _(
        "This sign-in was not started in this browser or took too long. Please start again."),
    "cancelled": lambda _email: _("Sign-in was cancelled at your organisation's sign-in page."),
    "email_missing": lambda _email: _(
        "Your organisation's sign-in did not tell naranu your e-mail address. Ask an "
        "administrator to check the sign-in settings."),
    "email_unverified": lambda email: _(
        "Your organisation has not verified the e-mail address %(email)s, so it cannot be "
        "used to sign in.", email=email),
    "domain_not_allowed": lambda email: _(
        "Addresses like %(email)s cannot sign in here.", email=email),
    "unknown_account": lambda email: _(
        "There is no active naranu account for %(email)s. Ask an administrator to invite you.",
        email=email),
    "provider_unreachable": lambda _email: _(
        "Your organisation's sign-in service cannot be reached. Please try again later."),
}
#: A deactivated account reads like a missing one: either way an administrator must act.
_WORDING["inactive_account"] = _WORDING["unknown_account"]


def refusal_message(code: str, email: str | None) -> str:
    """Why the sign-in was refused, for the person who tried (current language)."""
    explain = _WORDING.get(code)
    if explain is None:  # provider_error, token_invalid, issuer_mismatch: the logs say more
        return _("Signing in with your organisation's account failed. Please try again; if it "
                 "fails again, tell an administrator.")
    return explain(email or "")


#: The reason codes as the audit log names them (short; the log line adds the address).
_REASONS: dict[str, Callable[[], str]] = {
    "state_mismatch": lambda: _("not started in this browser"),
    "cancelled": lambda: _("cancelled at the provider"),
    "email_missing": lambda: _("no e-mail address in the sign-in"),
    "email_unverified": lambda: _("e-mail address not verified"),
    "domain_not_allowed": lambda: _("domain not allowed"),
    "unknown_account": lambda: _("no such account"),
    "inactive_account": lambda: _("account deactivated"),
    "provider_unreachable": lambda: _("provider unreachable"),
    "issuer_mismatch": lambda: _("provider names another issuer"),
    "token_invalid": lambda: _("ID token rejected"),
    "provider_error": lambda: _("provider answered with an error"),
}


def describe_refusal(detail: dict[str, Any]) -> str:
    """The audit log's sentence for an ``oidc_sign_in_refused`` event."""
    reason = _REASONS.get(str(detail.get("reason")), lambda: str(detail.get("reason")))()
    if detail.get("email"):
        return _("Sign-in through the organisation's account refused for %(email)s: "
                 "%(reason)s.", email=detail["email"], reason=reason)
    return _("Sign-in through the organisation's account refused: %(reason)s.", reason=reason)
