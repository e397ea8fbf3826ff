"""Unit paths as text: the stored key, the label people read, and a name typed on a command line.

Pure: no Flask, no database.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence

from survey.waves.cells import UnitPath

#: What separates levels in a unit written with its parents: '総務部/総務課', '総務部 > 総務課'.
LEVEL_SEPARATORS = re.compile(r"\s*[/>]\s*")
#: What separates units in a list typed into a form (NFKC turns 、 into itself, ， into ,).
LIST_SEPARATORS = re.compile(r"[\n、,;]")


def unit_key(path: Sequence[str]) -> str:
    """The stored form of a unit path: a JSON array ('[]' is the whole organisation)."""
    return json.dumps(list(path), ensure_ascii=False)


def unit_of_key(key: str) -> UnitPath:
    """Inverse of :func:`unit_key`."""
    return tuple(json.loads(key))


def unit_label(path: Sequence[str]) -> str:
    """'総務部 > 総務課' (the organisation itself has no label of its own: '')."""
    return " > ".join(path)


def name_parts(name: str) -> UnitPath:
    """A unit as typed: NFKC like the roster, split at '/' or '>' (blank parts dropped)."""
    text = unicodedata.normalize("NFKC", name).strip()
    return tuple(part for part in LEVEL_SEPARATORS.split(text) if part)


def split_names(text: str) -> list[str]:
    """'総務課\n税務課、総務課/庶務係' → ['総務課', '税務課', '総務課/庶務係'] (blanks dropped)."""
    return [name for name in (part.strip() for part in LIST_SEPARATORS.split(
        unicodedata.normalize("NFKC", text))) if name]


def path_text(path: Sequence[str]) -> str:
    """A unit as it can be typed back: '総務部/総務課'."""
    return "/".join(path)


def matching_units(name: str, units: Iterable[UnitPath]) -> list[UnitPath]:
    """Every unit whose path ends with the typed name's parts ('庶務係', '総務課/庶務係', …)."""
    parts = name_parts(name)
    if not parts:
        return []
    return sorted(path for path in set(units) if path[-len(parts):] == parts)


def within(path: Sequence[str], units: Iterable[Sequence[str]]) -> bool:
    """Whether ``path`` is one of ``units`` or lies below one of them."""
    return any(tuple(path[: len(unit)]) == tuple(unit) for unit in units)


def with_parents(paths: Iterable[UnitPath]) -> set[UnitPath]:
    """The paths and every unit above them (the organisation, ``()``, excluded)."""
    return {path[:depth] for path in paths for depth in range(1, len(path) + 1)}
