"""Roster writes and overview, and the one place that explains roster errors and warnings.

``import_roster`` is all or nothing: every row is checked before the first write, and it never
commits (the view or CLI command owns the transaction).  People are matched by ``employee_id``;
those no longer listed are deactivated, never deleted, because waves refer to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from survey.models import Person
from survey.roster.parsing import REQUIRED, CleanRoster, RosterError, check_hierarchy, clean_rows
from survey.settings import current_thresholds, put_setting

#: Small groups listed one by one per attribute; beyond this they are summarised in one line.
MAX_LISTED_SMALL_GROUPS = 10


@dataclass(frozen=True)
class RosterWarning:
    """Something the importer should know but that does not stop the import."""

    code: str  # small_group, small_groups_more, never_shown
    attribute: str
    value: str = ""
    count: int = 0


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed."""

    created: int
    updated: int
    reactivated: int
    unchanged: int
    deactivated: int
    active: int
    warnings: list[RosterWarning] = field(default_factory=list)


@dataclass(frozen=True)
class RosterOverview:
    """The current roster's size and, per attribute, how many groups it has (no names)."""

    active: int
    inactive: int
    groups: dict[str, int]


def import_roster(
    session: Session, rows: Sequence[dict[str, str]], hierarchy: list[str] | None = None
) -> ImportSummary:
    """Create or update people by employee_id and deactivate the unlisted; raises RosterError."""
    clean = clean_rows(rows)
    levels = None if hierarchy is None else check_hierarchy(
        clean.numbered(), hierarchy, clean.columns)
    counts = _apply(session, clean)
    if levels is not None:
        put_setting(session, "group_hierarchy", levels)
    k = current_thresholds(session).k
    return ImportSummary(**counts, active=len(clean), warnings=size_warnings(clean, k))


def _apply(session: Session, clean: CleanRoster) -> dict[str, int]:
    """Bulk writes (a large employer's roster is 100,000 rows): insert, update, deactivate."""
    known = {row.employee_id: row for row in session.execute(
        select(Person.id, Person.employee_id, Person.email, Person.attributes, Person.active))}
    counts = Counter({"created": 0, "updated": 0, "reactivated": 0, "unchanged": 0})
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in clean:
        wanted = {"email": row["email"], "active": True, "attributes": {
            name: value for name, value in row.items() if name not in REQUIRED and value}}
        current = known.pop(row["employee_id"], None)
        outcome = _outcome(current, wanted)
        counts[outcome] += 1
        if outcome == "created":
            inserts.append({"employee_id": row["employee_id"], **wanted})
        elif outcome != "unchanged":
            updates.append({"id": current.id, **wanted})
    leaving = [{"id": person.id, "active": False} for person in known.values() if person.active]
    for statement, parameters in ((insert(Person), inserts), (update(Person), updates),
                                  (update(Person), leaving)):
        if parameters:
            session.execute(statement, parameters)
    return {**counts, "deactivated": len(leaving)}


def _outcome(current: Row[Any] | None, wanted: dict[str, Any]) -> str:
    if current is None:
        return "created"
    if not current.active:
        return "reactivated"
    changed = (current.email, current.attributes) != (wanted["email"], wanted["attributes"])
    return "updated" if changed else "unchanged"


def size_warnings(rows: Sequence[dict[str, str]], k: int) -> list[RosterWarning]:
    """Groups under k people, and attributes whose groups can never reach k."""
    warnings: list[RosterWarning] = []
    names = [name for name in dict.fromkeys(n for row in rows for n in row) if name not in REQUIRED]
    for name in names:
        sizes = Counter(row[name] for row in rows if row.get(name))
        small = sorted((count, value) for value, count in sizes.items() if count < k)
        if sizes and len(small) == len(sizes):
            warnings.append(RosterWarning("never_shown", name))
            continue
        warnings += [RosterWarning("small_group", name, value, count)
                     for count, value in small[:MAX_LISTED_SMALL_GROUPS]]
        if len(small) > MAX_LISTED_SMALL_GROUPS:
            warnings.append(RosterWarning("small_groups_more", name,
                                          count=len(small) - MAX_LISTED_SMALL_GROUPS))
    return warnings


def current_warnings(session: Session) -> list[RosterWarning]:
    """The size warnings of the roster as it stands, for the roster page.

    They are worked out from the database on every visit instead of being carried in a flash
    message: a roster with many small groups would otherwise put kilobytes of text into the
    session cookie, which browsers refuse beyond 4 KB.
    """
    rows = session.scalars(select(Person.attributes).where(Person.active.is_(True))).all()
    return size_warnings([attributes or {} for attributes in rows], current_thresholds(session).k)


def roster_overview(session: Session) -> RosterOverview:
    """Active and inactive counts and the number of groups per attribute among active people."""
    rows = session.execute(select(Person.active, Person.attributes)).all()
    values: dict[str, set[str]] = {}
    for active, attributes in rows:
        for name, value in (attributes or {}).items() if active else ():
            values.setdefault(name, set()).add(value)
    active = sum(1 for row in rows if row.active)
    return RosterOverview(active=active, inactive=len(rows) - active,
                          groups={name: len(values[name]) for name in sorted(values)})


# -- words --------------------------------------------------------------------------------------

def message(error: RosterError) -> str:
    """The error in the current language: where (row, column) and why."""
    reason = _reason(error)
    if error.row is not None and error.column is not None:
        return _("row %(row)s, column %(column)s: %(reason)s",
                 row=error.row, column=error.column, reason=reason)
    if error.row is not None:
        return _("row %(row)s: %(reason)s", row=error.row, reason=reason)
    if error.column is not None:
        return _("column %(column)s: %(reason)s", column=error.column, reason=reason)
    return reason


def _reason(error: RosterError) -> str:
    p = error.params
    reasons = {
        "unsupported_type": lambda: _(
            "only .csv and .xlsx files can be imported (this file is .%(extension)s)",
            extension=p.get("extension")),
        "too_large": lambda: _("the file is larger than %(limit)s MB and was not read",
                               limit=p.get("limit_mb")),
        "too_many_rows": lambda: _("the file has more than %(max)s people", max=p.get("max")),
        "binary": lambda: _("this is not a text (CSV) file"),
        "encoding": lambda: _(
            "the file is neither UTF-8 nor Shift_JIS (CP932); in Excel, save it as "
            "\"CSV UTF-8\""),
        "not_xlsx": lambda: _("the file is named .xlsx but is not an Excel workbook"),
        "xlsx_expands": lambda: _(
            "the workbook unpacks to far more data than a roster holds (%(member)s), so it was "
            "not opened; save the sheet again as a new workbook or as CSV",
            member=p.get("member")),
        "too_many_columns": lambda: _(
            "the file has more than %(max)s group attribute columns; keep only the columns "
            "reports break down by", max=p.get("max")),
        "malformed": lambda: _("the CSV cannot be read here (check the quotation marks)"),
        "empty": lambda: _("the file contains no people (it is empty or has only a header row)"),
        "empty_column_name": lambda: _("this column has no name in the header row"),
        "duplicate_column": lambda: _("the header names this column twice (also as %(other)s)",
                                      other=p.get("other")),
        "missing_column": lambda: _("the header row has no such column; it is required"),
        "field_count": lambda: _(
            "the row has %(found)s fields but the header has %(expected)s",
            found=p.get("found"), expected=p.get("expected")),
        "required": lambda: _("the value is empty; every person needs one"),
        "too_long": lambda: _("the value is longer than %(max)s characters", max=p.get("max")),
        "invalid_email": lambda: _("not a valid e-mail address"),
        "duplicate_value": lambda: _("'%(value)s' also appears in row %(other_row)s",
                                     value=p.get("value"), other_row=p.get("other_row")),
        "formula": lambda: _(
            "the value starts with %(char)s, so a spreadsheet would run it as a formula; such "
            "cells are refused rather than stored (remove the leading %(char)s)",
            char=p.get("char")),
        "control": lambda: _("the value contains an invisible control character"),
        "hierarchy_column": lambda: _(
            "the hierarchy names this column, but the file has no such group column"),
        "hierarchy_repeated": lambda: _("the hierarchy names this column twice"),
        "hierarchy_parent": lambda: _(
            "'%(value)s' is under %(parent_column)s '%(parent)s' here but under '%(other)s' in row "
            "%(other_row)s; each unit must belong to exactly one %(parent_column)s (give units "
            "unique names)", value=p.get("value"), parent_column=p.get("parent_column"),
            parent=p.get("parent"), other=p.get("other"), other_row=p.get("other_row")),
    }
    explain = reasons.get(error.code)
    return explain() if explain else error.code


def warning_message(warning: RosterWarning) -> str:
    """A warning in the current language."""
    if warning.code == "never_shown":
        return _("%(attribute)s: no group reaches the minimum group size, so this breakdown "
                 "can never be shown", attribute=warning.attribute)
    if warning.code == "small_groups_more":
        return _("%(attribute)s: %(count)s more groups are below the minimum group size",
                 attribute=warning.attribute, count=warning.count)
    return _("%(attribute)s '%(value)s' has %(count)s people: its answers will be reported only "
             "as part of a larger group", attribute=warning.attribute, value=warning.value,
             count=warning.count)
