"""Concurrent posts (兼務): from a clean roster to each person's concurrent unit paths.

Japanese HR exports state them in one of two shapes, and both are read: a ``concurrent_units``
cell (兼務先) naming one or more units, or repeated rows marked 兼務 in a post-type column, whose
unit columns give the post (:mod:`survey.roster.parsing` sets those rows apart).  Either way a
post is stored as the unit's full path along the hierarchy (部 → 課), because a cross-
departmental office is reported as a unit of the tree like any other.

A name in a ``concurrent_units`` cell is looked up among the units the roster itself names (main
posts and 兼務 rows) at any level, so 'デジタル変革戦略室' finds ('総務部', 'デジタル変革戦略室')
without the writer spelling out the parents.  A name that finds no unit, or more than one, is
refused rather than guessed: a post counted in the wrong unit is a wrong figure.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from survey.roster.parsing import CleanRoster, RosterError
from survey.waves.cells import UnitPath, unit_path

#: What separates unit names in one cell (after NFKC, which turns ／ ， ； into / , ; and the
#: parser, which turns line breaks into 、).
NAME_SEPARATORS = re.compile(r"[、;,/]")


class UnitIndex:
    """Every unit of the roster's tree under its own name, to find units named without parents."""

    def __init__(self, paths: Iterable[UnitPath]) -> None:
        self._by_name: dict[str, set[UnitPath]] = defaultdict(set)
        for path in paths:
            for depth in range(1, len(path) + 1):
                self._by_name[path[depth - 1]].add(path[:depth])

    def resolve(self, name: str, row: int, column: str) -> UnitPath:
        """The one unit called ``name``, else ``unknown_unit`` or ``ambiguous_unit``."""
        found = self._by_name.get(name, set())
        if len(found) == 1:
            return next(iter(found))
        if not found:
            raise RosterError("unknown_unit", row=row, column=column, value=name)
        raise RosterError("ambiguous_unit", row=row, column=column, value=name,
                          paths="、".join(" > ".join(path) for path in sorted(found)))


def split_unit_names(text: str) -> list[str]:
    """'総務課、 税務課;広報係' → ['総務課', '税務課', '広報係'] (blank parts dropped)."""
    return [name for name in (part.strip() for part in NAME_SEPARATORS.split(text)) if name]


def has_posts(clean: CleanRoster) -> bool:
    """Whether the roster states any concurrent post, in either shape."""
    return bool(clean.posts) or any(row.get("concurrent_units") for row in clean)


def concurrent_posts(clean: CleanRoster, levels: Sequence[str]) -> dict[str, list[list[str]]]:
    """employee_id → concurrent unit paths, sorted; the main unit and repeats are dropped.

    People without a concurrent post are left out.  Raises :class:`RosterError` for a post
    that names no unit or an unknown or ambiguous one, or when there is no hierarchy to place
    posts in.
    """
    if not has_posts(clean):
        return {}
    if not levels:
        column = "concurrent_units" if "concurrent_units" in clean.labels else "post_type"
        raise RosterError("posts_without_hierarchy", column=clean.labels[column])
    found: dict[str, set[UnitPath]] = defaultdict(set)
    for person, path in _rows_posts(clean, levels):
        found[person].add(path)
    for person, path in _cells_posts(clean, levels):
        found[person].add(path)
    mains = {row["employee_id"]: unit_path(row, levels) for row in clean}
    posts = {person: sorted(list(path) for path in paths if path != mains[person])
             for person, paths in found.items()}
    return {person: paths for person, paths in posts.items() if paths}


def _rows_posts(clean: CleanRoster, levels: Sequence[str]) -> Iterable[tuple[str, UnitPath]]:
    """Shape (b): each 兼務 row's unit columns are one post."""
    for number, row in clean.posts:
        path = unit_path(row, levels)
        if not path:
            column = clean.labels.get(levels[0], levels[0])
            raise RosterError("post_without_unit", row=number, column=column)
        yield row["employee_id"], path


def _cells_posts(clean: CleanRoster, levels: Sequence[str]) -> Iterable[tuple[str, UnitPath]]:
    """Shape (a): each name in a person's concurrent_units cell is one post."""
    if "concurrent_units" not in clean.labels:
        return
    index = UnitIndex(unit_path(row, levels) for _number, row in clean.unit_rows())
    column = clean.labels["concurrent_units"]
    for number, row in clean.numbered():
        for name in split_unit_names(row["concurrent_units"]):
            yield row["employee_id"], index.resolve(name, number, column)
