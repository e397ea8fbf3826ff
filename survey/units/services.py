"""Unit services: the roster's units, a typed unit name, and which units an account heads.

Services take a session and never commit; the view or command owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select

from survey.db import DbSession
from survey.models import Person, Role, User, Wave
from survey.org_settings import group_hierarchy
from survey.service_error import ServiceError
from survey.units.models import UnitAssignment
from survey.units.paths import matching_units, unit_key, unit_of_key, with_parents
from survey.units.reporting import ReportedUnit, reported_unit
from survey.waves.cells import UnitPath, unit_path
from survey.waves.design import CellDesign


class UnitError(ServiceError):
    """A unit name that names no unit or several (``name``/``paths`` say which; worded by
    :mod:`survey.units.messages`)."""

    def __init__(self, code: str, name: str = "", paths: Sequence[UnitPath] = ()) -> None:
        super().__init__(code, name=name, paths=tuple(paths))
        self.name, self.paths = name, tuple(paths)


def roster_units(session: DbSession) -> set[UnitPath]:
    """Every unit of the active roster (main units, their parents and concurrent posts)."""
    hierarchy = group_hierarchy(session)
    if not hierarchy:
        return set()
    rows = session.execute(select(Person.attributes, Person.concurrent)
                           .where(Person.active.is_(True)))
    paths: set[UnitPath] = set()
    for attributes, concurrent in rows:
        paths.add(unit_path(attributes or {}, hierarchy))
        paths.update(tuple(post) for post in concurrent or [])
    return with_parents(paths)


def resolve_unit(session: DbSession, name: str, units: Iterable[UnitPath] | None = None
                 ) -> UnitPath:
    """The one roster unit called ``name`` ('庶務係', '総務課/庶務係'), else :class:`UnitError`."""
    found = matching_units(name, roster_units(session) if units is None else units)
    if len(found) == 1:
        return found[0]
    raise UnitError("ambiguous_unit" if found else "unknown_unit", name, found)


def resolve_units(session: DbSession, names: Sequence[str]) -> list[UnitPath]:
    """Every name resolved (see :func:`resolve_unit`), duplicates dropped, in order."""
    units = roster_units(session)
    return list(dict.fromkeys(resolve_unit(session, name, units) for name in names))


def units_of(session: DbSession, user: User) -> list[UnitPath]:
    """The units a unit-head account heads, sorted (empty for every other role)."""
    if user.role != Role.UNIT_HEAD:
        return []
    keys = session.scalars(select(UnitAssignment.unit).where(UnitAssignment.user_id == user.id))
    return sorted(unit_of_key(key) for key in keys)


def assign_units(session: DbSession, user: User, paths: Iterable[Sequence[str]]) -> None:
    """Make ``paths`` the units ``user`` heads (replacing any earlier assignment)."""
    session.execute(delete(UnitAssignment).where(UnitAssignment.user_id == user.id))
    session.add_all(UnitAssignment(user_id=user.id, unit=key)
                    for key in dict.fromkeys(unit_key(path) for path in paths if path))



def reported_units(session: DbSession, user: User, wave: Wave) -> list[ReportedUnit]:
    """For each unit ``user`` heads, where ``wave`` reports it (see
    :func:`survey.units.reporting.reported_unit`); empty for a wave without a cell design."""
    if wave.cell_design is None:
        return []
    design = CellDesign.from_dict(wave.cell_design)
    return [reported_unit(design, path) for path in units_of(session, user)]
