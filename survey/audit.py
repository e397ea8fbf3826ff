"""Audit and transparency log: who exported or viewed what, threshold changes.

Never records what a respondent answered, and never a token or an IP address.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from survey.db import DbSession
from survey.models import AuditEvent

#: Actions shown in the public transparency log every member of staff can read.
PUBLIC_ACTIONS = frozenset(
    {"threshold_changed", "export_made", "wave_opened", "wave_closed", "roster_imported",
     "invitation_links_released"}
)


def record(
    session: DbSession, action: str, role: str, actor_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event (the caller's transaction commits it with the action)."""
    event = AuditEvent(
        action=action, actor_role=role, actor_id=actor_id, detail=detail,
        public=action in PUBLIC_ACTIONS,
    )
    session.add(event)
    return event


def public_events(session: DbSession, limit: int = 200) -> list[AuditEvent]:
    """The newest public events, for the transparency page."""
    query = (
        select(AuditEvent).where(AuditEvent.public.is_(True))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    )
    return list(session.scalars(query))


def all_events(session: DbSession, limit: int = 500) -> list[AuditEvent]:
    """The newest events of every kind, for administrators."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))
