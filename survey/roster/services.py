"""Roster writes and overview, and the one place that explains roster errors and warnings.

``import_roster`` is all or nothing: every row is checked before the first write, and it never
commits (the view or CLI command owns the transaction).  People are matched by ``employee_id``;
those no longer listed are deactivated, never deleted, because waves refer to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from flask_babel import gettext as _
from sqlalchemy import Row, insert, select, update

from survey.db import DbSession
from survey.models import Person
from survey.org_settings import current_thresholds, get_setting, put_setting
from survey.roster.parsing import RESERVED, CleanRoster, RosterError, check_hierarchy, clean_rows
from survey.roster.posts import concurrent_posts, has_posts

#: Small groups listed one by one per attribute; beyond this they are summarised in one line.
MAX_LISTED_SMALL_GROUPS = 10
#: Column names that name a unit, per level from broad to fine, for a roster imported without
#: a hierarchy: the unit comes first in every breakdown (DESIGN.md decision 8), so a roster
#: with a ``department`` or 課 column must not have it treated like a tenure band.
UNIT_COLUMN_NAMES = (
    ("division", "部", "局", "本部"),
    ("department", "dept", "課", "部署", "所属", "unit"),
    ("section", "係", "team", "班", "グループ"),
)


@dataclass(frozen=True)
class RosterWarning:
    """Something the importer should know but that does not stop the import."""

    code: str  # small_group, small_groups_more, never_shown
    attribute: str
    value: str = ""
    count: int = 0


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed.

    ``generated_ids`` counts people listed without an employee number, whose id was made from
    their e-mail address; ``concurrent`` counts people with at least one concurrent post.
    """

    created: int
    updated: int
    reactivated: int
    unchanged: int
    deactivated: int
    active: int
    warnings: list[RosterWarning] = field(default_factory=list)
    generated_ids: int = 0
    concurrent: int = 0


@dataclass(frozen=True)
class RosterOverview:
    """The current roster's size and, per attribute, how many groups it has (no names).

    ``concurrent`` is how many active people hold a concurrent post (兼務).
    """

    active: int
    inactive: int
    groups: dict[str, int]
    concurrent: int = 0


def import_roster(
    session: DbSession, rows: Sequence[dict[str, str]], hierarchy: list[str] | None = None
) -> ImportSummary:
    """Create or update people by employee_id and deactivate the unlisted; raises RosterError."""
    clean = clean_rows(rows)
    stored = get_setting(session, "group_hierarchy")
    levels = None if hierarchy is None else check_hierarchy(
        clean.unit_rows(), hierarchy, clean.columns)
    if levels is None and stored is None:
        levels = detected_hierarchy(clean)
    posts = concurrent_posts(clean, _post_levels(clean, levels, stored))
    counts = _apply(session, clean, posts)
    if levels is not None:
        put_setting(session, "group_hierarchy", levels)
    k = current_thresholds(session).k
    return ImportSummary(**counts, active=len(clean), warnings=size_warnings(clean, k),
                         generated_ids=clean.generated_ids, concurrent=len(posts))


def _post_levels(clean: CleanRoster, levels: list[str] | None, stored: Any) -> list[str]:
    """The hierarchy that places concurrent posts: this import's, else the stored one (which
    must then fit this file, as the posts are read along it)."""
    if levels is not None or not has_posts(clean):
        return levels or []
    return check_hierarchy(clean.unit_rows(), list(stored or []), clean.columns)


def detected_hierarchy(clean: CleanRoster) -> list[str] | None:
    """Unit columns recognised by name (see ``UNIT_COLUMN_NAMES``), when they nest properly."""
    folded = {name.casefold(): name for name in clean.columns if name not in RESERVED}
    levels = [next(folded[n.casefold()] for n in names if n.casefold() in folded)
              for names in UNIT_COLUMN_NAMES if any(n.casefold() in folded for n in names)]
    if not levels:
        return None
    try:
        return check_hierarchy(clean.unit_rows(), levels, clean.columns)
    except RosterError:
        return None


#: A person as the import reads them: id, employee id, e-mail, attributes, posts, active.
_Stored: TypeAlias = Row[int, str, str, dict[str, str], list[list[str]] | None, bool]


def _apply(session: DbSession, clean: CleanRoster,
           posts: dict[str, list[list[str]]]) -> dict[str, int]:
    """Bulk writes (a large employer's roster is 100,000 rows): insert, update, deactivate."""
    known = {row.employee_id: row for row in session.execute(select(
        Person.id, Person.employee_id, Person.email, Person.attributes, Person.concurrent,
        Person.active))}
    counts = Counter({"created": 0, "updated": 0, "reactivated": 0, "unchanged": 0})
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in clean:
        wanted = {"email": row["email"], "active": True, "attributes": {
            name: value for name, value in row.items() if name not in RESERVED and value},
            "concurrent": posts.get(row["employee_id"], [])}
        current = known.pop(row["employee_id"], None)
        outcome = _outcome(current, wanted)
        counts[outcome] += 1
        if current is None:
            inserts.append({"employee_id": row["employee_id"], **wanted})
        elif outcome != "unchanged":
            updates.append({"id": current.id, **wanted})
    leaving = [{"id": person.id, "active": False} for person in known.values() if person.active]
    for statement, parameters in ((insert(Person), inserts), (update(Person), updates),
                                  (update(Person), leaving)):
        if parameters:
            session.execute(statement, parameters)
    return {**counts, "deactivated": len(leaving)}


def _outcome(current: _Stored | None, wanted: dict[str, Any]) -> str:
    if current is None:
        return "created"
    if not current.active:
        return "reactivated"
    changed = ((current.email, current.attributes, current.concurrent or [])
               != (wanted["email"], wanted["attributes"], wanted["concurrent"]))
    return "updated" if changed else "unchanged"


def size_warnings(rows: Sequence[dict[str, str]], k: int) -> list[RosterWarning]:
    """Groups under k people, and attributes whose groups can never reach k."""
    warnings: list[RosterWarning] = []
    names = [name for name in dict.fromkeys(n for row in rows for n in row) if name not in RESERVED]
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


def current_warnings(session: DbSession) -> list[RosterWarning]:
    """The size warnings of the roster as it stands, for the roster page.

    They are worked out from the database on every visit instead of being carried in a flash
    message: a roster with many small groups would otherwise put kilobytes of text into the
    session cookie, which browsers refuse beyond 4 KB.
    """
    rows = session.scalars(select(Person.attributes).where(Person.active.is_(True))).all()
    return size_warnings([attributes or {} for attributes in rows], current_thresholds(session).k)


def roster_overview(session: DbSession) -> RosterOverview:
    """Active and inactive counts, the number of groups per attribute among active people, and
    how many of them hold a concurrent post."""
    rows = session.execute(select(Person.active, Person.attributes, Person.concurrent)).all()
    values: dict[str, set[str]] = {}
    for active, attributes, _concurrent in rows:
        for name, value in (attributes or {}).items() if active else ():
            values.setdefault(name, set()).add(value)
    active_count = sum(1 for row in rows if row.active)
    return RosterOverview(active=active_count, inactive=len(rows) - active_count,
                          groups={name: len(values[name]) for name in sorted(values)},
                          concurrent=sum(1 for row in rows if row.active and row.concurrent))


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
        **_post_reasons(p),
    }
    explain = reasons.get(error.code)
    return explain() if explain else error.code


def _post_reasons(p: dict[str, Any]) -> dict[str, Callable[[], str]]:
    """Reasons about identity and concurrent posts (兼務)."""
    return {
        "no_identity": lambda: _(
            "the row has neither an employee number nor an e-mail address; every person needs "
            "an e-mail address (without an employee number, an id is made from it)"),
        "post_type_value": lambda: _(
            "'%(value)s' is not a post type: write 本務 (main post) or 兼務 (concurrent post)",
            value=p.get("value")),
        "post_without_main": lambda: _(
            "this concurrent-post (兼務) row is for '%(value)s', who has no main-post (本務) row; "
            "every person needs exactly one", value=p.get("value")),
        "post_email_mismatch": lambda: _(
            "this concurrent-post (兼務) row has the e-mail address %(value)s, but the person's "
            "main-post row has %(other)s", value=p.get("value"), other=p.get("other")),
        "post_without_unit": lambda: _("this concurrent-post (兼務) row names no unit"),
        "posts_without_hierarchy": lambda: _(
            "concurrent posts (兼務) are placed along the unit hierarchy, and none is set: give "
            "the unit columns from broad to fine, e.g. 部,課"),
        "unknown_unit": lambda: _(
            "'%(value)s' is not a unit of this roster: a concurrent post must name a unit that "
            "a main post or a 兼務 row names, spelled as in the unit columns",
            value=p.get("value")),
        "ambiguous_unit": lambda: _(
            "'%(value)s' names more than one unit (%(paths)s); give units distinct names",
            value=p.get("value"), paths=p.get("paths")),
    }


def generated_ids_message(count: int) -> str:
    """How many people were given an id made from their e-mail address, in the current language."""
    return _("%(count)s people have no employee number (e.g. members from outside); each was "
             "given a stable id made from their e-mail address (X-…).", count=count)


def concurrent_message(count: int) -> str:
    """How many people hold a concurrent post, in the current language."""
    return _("%(count)s people hold a concurrent post (兼務).", count=count)


def units_message(own: int, folded: int) -> str:
    """After an import: how a wave opened now would report the units (see the preview)."""
    return _("A wave opened now would report %(own)s units as themselves; %(folded)s would be "
             "counted within their parent unit.", own=own, folded=folded)


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
