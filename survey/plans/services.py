"""Plan services: who may see and keep which plan, create, edit, update, and the chart markers.

Leadership and administrators see and keep every plan.  A unit head sees the plans of the units
they head and of the units below them, which they keep, and the organisation's own plans, which
they read only.  Every check is made here, on the server, from the account's assignments; a view
only maps "not visible" to 404 and "visible, not yours to keep" to 403.  Services never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from survey import audit
from survey.db import DbSession
from survey.models import Principle, Role, User
from survey.plans.models import ActionPlan, PlanStatus, PlanUpdate
from survey.service_error import ServiceError
from survey.units.paths import unit_key, unit_label, unit_of_key, within
from survey.units.services import roster_units, units_of
from survey.waves.cells import UnitPath

#: Roles that keep every plan.
KEEPERS = frozenset({Role.LEADERSHIP, Role.ADMIN})


class PlanError(ServiceError):
    """Why a plan cannot be saved (worded by :mod:`survey.plans.messages`)."""


@dataclass(frozen=True)
class PlanInput:
    """What a plan form says, before the service checks it."""

    unit: UnitPath
    principles: tuple[str, ...]
    title: str
    owner: str
    starts_on: dt.date
    due_on: dt.date | None = None
    details: str = ""


@dataclass(frozen=True)
class PlanMarker:
    """What a trend chart needs of a plan: a dated, labelled marker for some principles."""

    plan_id: int
    on: dt.date
    title: str
    principles: tuple[str, ...]  # principle codes
    unit: UnitPath  # () for the whole organisation
    status: PlanStatus


def may_keep(role: str, own: Sequence[UnitPath], unit: Sequence[str]) -> bool:
    """The rule: leadership and admins keep every plan, a unit head those of ``own`` units and
    the units below them (never the organisation's own, ``()``)."""
    return role in KEEPERS or (bool(unit) and within(unit, own))


def may_read(role: str, own: Sequence[UnitPath], unit: Sequence[str]) -> bool:
    """The rule for reading: what one keeps, and the organisation's own plans."""
    return not unit or may_keep(role, own, unit)


def visible(session: DbSession, user: User, unit: Sequence[str]) -> bool:
    """Whether ``user`` may read plans of ``unit``."""
    return may_read(str(user.role), units_of(session, user), unit)


def keeps(session: DbSession, user: User, unit: Sequence[str]) -> bool:
    """Whether ``user`` may create and change plans of ``unit``."""
    return may_keep(str(user.role), units_of(session, user), unit)


def visible_plans(session: DbSession, user: User) -> list[ActionPlan]:
    """The plans ``user`` may read, newest start first."""
    plans = session.scalars(select(ActionPlan).order_by(ActionPlan.starts_on.desc(),
                                                         ActionPlan.id.desc()))
    own = units_of(session, user)
    return [plan for plan in plans if may_read(str(user.role), own, unit_of_key(plan.unit))]


def plan_or_none(session: DbSession, user: User, plan_id: int) -> ActionPlan | None:
    """The plan, if ``user`` may read it (None otherwise: the caller answers 404)."""
    plan = session.get(ActionPlan, plan_id)
    if plan is None or not visible(session, user, unit_of_key(plan.unit)):
        return None
    return plan


def plan_units(session: DbSession, user: User) -> list[UnitPath]:
    """The units ``user`` may make plans for: () (the organisation) first for leadership."""
    units = sorted(roster_units(session))
    if user.role in KEEPERS:
        return [(), *units]
    own = units_of(session, user)
    return sorted({*own, *(unit for unit in units if within(unit, own))})


def create_plan(session: DbSession, user: User, data: PlanInput) -> ActionPlan:
    """A new plan of a unit ``user`` keeps, with its first history entry; logged."""
    principles = _checked(session, user, data)
    plan = ActionPlan(unit=unit_key(data.unit), title=data.title.strip(),
                      details=data.details.strip(), owner=data.owner.strip(),
                      starts_on=data.starts_on, due_on=data.due_on, status=PlanStatus.PLANNED,
                      created_by=user.id, principles=principles)
    plan.updates.append(PlanUpdate(on=data.starts_on, status=PlanStatus.PLANNED, note="",
                                   author_role=str(user.role), author_id=user.id))
    session.add(plan)
    session.flush()
    audit.record(session, "plan_created", str(user.role), user.id, plan=plan.id,
                 unit=unit_label(data.unit), principles=list(data.principles))
    return plan


def edit_plan(session: DbSession, user: User, plan: ActionPlan, data: PlanInput) -> list[str]:
    """Change what a plan says; returns the names of the fields that changed (logged)."""
    if not keeps(session, user, unit_of_key(plan.unit)):
        raise PlanError("not_yours")
    principles = _checked(session, user, data, current=unit_of_key(plan.unit))
    wanted = {"unit": unit_key(data.unit), "title": data.title.strip(),
              "details": data.details.strip(), "owner": data.owner.strip(),
              "starts_on": data.starts_on, "due_on": data.due_on}
    changed = [name for name, value in wanted.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, wanted[name])
    if {p.code for p in plan.principles} != set(data.principles):
        plan.principles = principles
        changed.append("principles")
    if changed:
        audit.record(session, "plan_changed", str(user.role), user.id, plan=plan.id,
                     unit=unit_label(data.unit), fields=changed)
    return changed


def add_update(session: DbSession, user: User, plan: ActionPlan, on: dt.date,
               status: PlanStatus, note: str) -> PlanUpdate:
    """Record a dated status update; the plan's status follows its latest-dated entry."""
    if not keeps(session, user, unit_of_key(plan.unit)):
        raise PlanError("not_yours")
    update = PlanUpdate(on=on, status=PlanStatus(status), note=note.strip(),
                        author_role=str(user.role), author_id=user.id)
    plan.updates.append(update)
    session.flush()
    plan.status = max(plan.updates, key=lambda entry: (entry.on, entry.id)).status
    audit.record(session, "plan_updated", str(user.role), user.id, plan=plan.id,
                 unit=unit_label(unit_of_key(plan.unit)), status=str(status),
                 on=on.isoformat())
    return update


def _checked(session: DbSession, user: User, data: PlanInput,
             current: UnitPath | None = None) -> list[Principle]:
    """The plan's principles, after checking the unit, the dates and the codes.

    A plan may keep a unit that has left the roster since (``current``), never move to one.
    """
    if not keeps(session, user, data.unit):
        raise PlanError("not_yours")
    if data.unit and data.unit != current and data.unit not in roster_units(session):
        raise PlanError("unknown_unit")
    if data.due_on is not None and data.due_on < data.starts_on:
        raise PlanError("due_before_start")
    if not data.title.strip() or not data.owner.strip():
        raise PlanError("incomplete")
    codes = set(data.principles)
    principles = list(session.scalars(select(Principle).where(Principle.code.in_(codes))))
    if not codes or len(principles) != len(codes):
        raise PlanError("unknown_principle")
    return principles


def plans_of(session: DbSession, units: Sequence[UnitPath]) -> list[ActionPlan]:
    """The plans of exactly these units (``()`` is the organisation's own), newest start first
    — for pages that list plans with their status (the staff results page)."""
    keys = {unit_key(unit) for unit in units}
    return list(session.scalars(select(ActionPlan).where(ActionPlan.unit.in_(keys))
                                .order_by(ActionPlan.starts_on.desc(), ActionPlan.id.desc())))


def plan_markers(session: DbSession, units: Sequence[UnitPath] | None = None,
                 include_dropped: bool = False) -> list[PlanMarker]:
    """Markers for trend charts, by date: every plan, or those of ``units`` exactly (pass
    ``[()]`` for the organisation's own); dropped plans only when asked."""
    keys = None if units is None else {unit_key(unit) for unit in units}
    query = select(ActionPlan).order_by(ActionPlan.starts_on, ActionPlan.id)
    if keys is not None:
        query = query.where(ActionPlan.unit.in_(keys))
    return [PlanMarker(plan.id, plan.starts_on, plan.title,
                       tuple(p.code for p in plan.principles), unit_of_key(plan.unit),
                       PlanStatus(plan.status))
            for plan in session.scalars(query)
            if include_dropped or plan.status != PlanStatus.DROPPED]
