"""Roster writes and overview (the words for its errors and warnings: survey.roster.messages).

``import_roster`` is all or nothing: every row is checked before the first write, and it never
commits (the view or CLI command owns the transaction).  People are matched by ``employee_id``;
those no longer listed are deactivated, never deleted, because waves refer to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

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
