"""Template globals and filters shared by every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from survey.auth.oidc_messages import describe_refusal
from survey.i18n import localized
from survey.models import AuditEvent, Role
from survey.principles.scales import NPS_ENDS


def current_locale() -> str:
    """'ja' or 'en' for the current request."""
    return str(get_locale() or "ja")


def nav_links() -> list[tuple[str, str]]:
    """Navigation entries the signed-in account's role may use."""
    role = getattr(current_user, "role", "")
    links: dict[str, list[tuple[str, str]]] = {
        Role.ADMIN: [("admin.home", _("Waves")), ("schedule.edit", _("Schedule")),
                     ("plans.index", _("Plans")),
                     ("principles.index", _("Principles")),
                     ("roster.upload", _("Roster")), ("admin.settings", _("Settings")),
                     ("accounts.index", _("Accounts")), ("admin.audit_log", _("Audit log"))],
        Role.LEADERSHIP: [("reports.home", _("Reports")), ("plans.index", _("Plans"))],
        Role.UNIT_HEAD: [("reports.home", _("Reports")), ("plans.index", _("Plans"))],
        Role.HR: [("hr.home", _("Exports")), ("roster.upload", _("Roster"))],
    }
    own = [("accounts.change_password_view", _("Password"))] if role else []
    return links.get(role, []) + own


def role_label(role: str) -> str:
    """A role's localized name."""
    return {
        "admin": _("Administrator"), "leadership": _("Leadership"), "hr": _("HR"),
        "unit-head": _("Unit head"),
        "system": _("System"), "anonymous": _("Not signed in"),
    }.get(role, role)


def describe_event(event: AuditEvent) -> str:
    """One localized sentence for a transparency-log entry."""
    d: dict[str, Any] = event.detail or {}
    texts = {
        "threshold_changed": lambda: _(
            "Minimum group size changed to %(k)s (comments: %(kc)s) for future rounds.",
            k=d.get("k"), kc=d.get("k_comments")),
        "export_made": lambda: _("Export made: %(kind)s of round %(wave)s.",
                                 kind=_export_kind(d.get("kind")), wave=d.get("wave")),
        "wave_opened": lambda: _("Round %(wave)s opened with minimum group size %(k)s.",
                                 wave=d.get("wave"), k=d.get("k")),
        "wave_closed": lambda: _("Round %(wave)s closed.", wave=d.get("wave")),
        "roster_imported": lambda: _("Roster imported: %(n)s people active.", n=d.get("active")),
        "attribute_labels_changed": lambda: _(
            "Display labels changed for: %(names)s.", names=", ".join(d.get("labels") or {})),
        "mail_queued": lambda: (_("%(n)s reminders queued for round %(wave)s.", n=d.get("n"),
                                  wave=d.get("wave")) if d.get("kind") == "reminder" else
                                _("%(n)s invitations queued for round %(wave)s.", n=d.get("n"),
                                  wave=d.get("wave"))),
        "schedule_changed": lambda: _("Survey schedule changed."),
        "account_invited": lambda: _("Account %(email)s invited as %(role)s.",
                                     email=d.get("email"), role=role_label(d.get("granted") or "")),
        "account_deactivated": lambda: _("Account %(email)s deactivated.", email=d.get("email")),
        "account_activated": lambda: _("Account %(email)s reactivated.", email=d.get("email")),
        "access_reset": lambda: _("Access of %(email)s reset.", email=d.get("email")),
        "password_changed": lambda: _("Own password changed."),
        "twofactor_enabled": lambda: _("Two-factor sign-in switched on for the own account."),
        "twofactor_disabled": lambda: _("Two-factor sign-in switched off for the own account."),
        "twofactor_reset": lambda: _("Two-factor sign-in of %(email)s removed (reset).",
                                     email=d.get("email")),
        "twofactor_requirement_changed": lambda: _(
            "Two-factor sign-in required for: %(roles)s.",
            roles=", ".join(role_label(r) for r in d.get("roles") or []) or "—"),
        "twofactor_recovery_used": lambda: _(
            "A recovery code was used to sign in (%(n)s left).", n=d.get("left")),
        "report_viewed": lambda: _("Report %(quarter)s viewed (%(form)s).",
                                   quarter=d.get("quarter"), form=_form_name(d.get("form"))),
        "invitation_links_released": lambda: _release_text(d),
        "plan_created": lambda: _("Plan %(plan)s created for %(unit)s.", plan=d.get("plan"),
                                  unit=d.get("unit") or _("the whole organisation")),
        "plan_changed": lambda: _("Plan %(plan)s changed (%(fields)s).", plan=d.get("plan"),
                                  fields=", ".join(d.get("fields") or [])),
        "plan_updated": lambda: _("Plan %(plan)s: status update dated %(on)s.",
                                  plan=d.get("plan"), on=d.get("on")),
        "account_units_changed": lambda: _("Units of %(email)s set to %(units)s.",
                                           email=d.get("email"),
                                           units="; ".join(d.get("units") or [])),
        "report_notices_queued": lambda: _("%(n)s report notices queued for round %(wave)s.",
                                           n=d.get("n"), wave=d.get("wave")),
        "oidc_sign_in_refused": lambda: describe_refusal(d),
    }
    return texts.get(event.action, lambda: event.action)()


def _release_text(d: dict[str, Any]) -> str:
    texts = {
        "csv": lambda: _("Invitation links of round %(wave)s downloaded (%(n)s links).",
                         wave=d.get("wave"), n=d.get("count")),
        "mail": lambda: _("%(n)s invitations of round %(wave)s sent by e-mail.",
                          wave=d.get("wave"), n=d.get("count")),
        "reminders": lambda: _("%(n)s reminders of round %(wave)s sent by e-mail.",
                               wave=d.get("wave"), n=d.get("count")),
    }
    return texts.get(d.get("how") or "", texts["csv"])()


def status_label(state: str) -> str:
    """A wave status in words."""
    return {
        "scheduled": _("Scheduled"), "open": _("Open"), "expired": _("Past closing date"),
        "closed": _("Closed"),
    }.get(state, state)


def signed(value: float, digits: int = 0) -> str:
    """``+3``, ``−2.5`` or ``±0``: a change with its sign, never a confusing ``-0``."""
    text = f"{value:+.{digits}f}"
    return "±" + text[1:] if float(text) == 0 else text


def _export_kind(kind: str | None) -> str:
    """An export's contents in the reader's language."""
    return {"aggregate": _("aggregate figures"),
            "responses": _("response-level data")}.get(kind or "", kind or "")


def item_kind_label(kind: str) -> str:
    """A question kind's localized name (the names the item form uses)."""
    return {"likert5": _("5-point scale"), "nps11": _("0-10 recommendation"),
            "comment": _("Free comment")}.get(kind, kind)


def _form_name(form: str | None) -> str:
    return {"web": _("web page"), "pdf": "PDF", "api": "API"}.get(form or "", form or "")


def local_date(value: dt.datetime | dt.date | None) -> str:
    """A date in the user's locale (Asia/Tokyo), never a time of day."""
    if value is None:
        return ""
    return format_date(value, format="medium")


def init_templating(app: Flask) -> None:
    """Register the globals and filters."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        current_locale=current_locale, nav_links=nav_links, role_label=role_label,
        item_kind_label=item_kind_label,
        describe_event=describe_event, localized=localized, nps_ends=NPS_ENDS,
        status_label=status_label, zip=zip,
    )
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["signed"] = signed
