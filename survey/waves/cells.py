"""Generalise roster attributes into stored cells of at least k invitees, unit first.

A response stores only its cell, so the cell must already be safe: a cell with fewer than k
invitees would let anyone holding the database single out its members.  What generalisation
gives up is chosen so that the organisational unit survives (DESIGN.md decision 8):

1. **Units.**  Each person's unit is their path down the hierarchy (部 → 課 → 係), cut at the
   first empty level (a 課長 belongs to the 課, not to a 係).  Working up from the finest level,
   a unit with fewer than k people is folded into its parent unit, whose own cell collects it
   together with the people who belong to the parent directly.  If that cell still holds 1..k-1
   people, the parent's smallest remaining sub-units are folded in too, whole, until it holds
   k: otherwise the parent's figure minus its sub-units' figures would single those people out.
   A unit of at least k people therefore keeps every one of them in its figures, and is only
   ever folded into its parent (and named there) to protect a smaller neighbour.  People left
   over at the top form the organisation's その他 cell.
2. **Secondary attributes** (role, tenure band, …) are then generalised *inside* each unit's
   cell, Datafly-style (Sweeney 2002, "Achieving k-anonymity privacy protection using
   generalization and suppression"): for combinations below k, the attribute with the most
   distinct values becomes "*" first.  A leftover of 1..k-1 people with every secondary
   attribute generalised takes in the unit's smallest combinations until it reaches k.  So
   secondary detail is always what gives way, never the unit.

Pure: no Flask, no database.  Cost is O(n log n) in the number of people.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

GENERALISED = "*"

CellKey = tuple[tuple[str, str], ...]
UnitPath = tuple[str, ...]


@dataclass(frozen=True)
class UnitFold:
    """A unit that is not stored as itself: ``path`` is counted within ``into``.

    ``protects`` is True when the unit had k or more people and was folded only so that a
    smaller group in ``into`` cannot be worked out by subtraction.
    """

    path: UnitPath
    into: UnitPath
    size: int
    protects: bool


def cell_key(attributes: Mapping[str, str], names: Sequence[str]) -> CellKey:
    """The full (ungeneralised) key of a person over the chosen attribute names."""
    return tuple((name, attributes.get(name) or GENERALISED) for name in sorted(names))


def unit_path(attributes: Mapping[str, str], hierarchy: Sequence[str]) -> UnitPath:
    """A person's unit from broad to fine, cut at the first empty or generalised level."""
    path: list[str] = []
    for level in hierarchy:
        value = attributes.get(level) or GENERALISED
        if value == GENERALISED:
            break
        path.append(value)
    return tuple(path)


def generalise(
    people: Sequence[Mapping[str, str]], hierarchy: Sequence[str], secondary: Sequence[str],
    k: int,
) -> list[CellKey]:
    """One stored cell key per person (same order) over ``hierarchy`` + ``secondary``."""
    return generalise_with_folds(people, hierarchy, secondary, k)[0]


def generalise_with_folds(
    people: Sequence[Mapping[str, str]], hierarchy: Sequence[str], secondary: Sequence[str],
    k: int,
) -> tuple[list[CellKey], list[UnitFold]]:
    """Cell keys as :func:`generalise`, and every unit that was folded into its parent."""
    if k < 1:
        raise ValueError(f"k must be positive, got {k}")
    hierarchy, secondary = list(hierarchy), [s for s in secondary if s not in hierarchy]
    paths = [unit_path(person, hierarchy) for person in people]
    stored, folds = fold_units(paths, k)
    by_unit: dict[UnitPath, list[int]] = defaultdict(list)
    for index, path in enumerate(stored):
        by_unit[path].append(index)
    names = sorted([*hierarchy, *secondary])
    keys: list[CellKey] = [()] * len(people)
    for path, members in by_unit.items():
        units = dict(zip(hierarchy, path, strict=False))
        details = _generalise_within([people[i] for i in members], secondary, k)
        for index, detail in zip(members, details, strict=True):
            values = {level: units.get(level, GENERALISED) for level in hierarchy} | detail
            keys[index] = tuple((name, values[name]) for name in names)
    return keys, folds


def fold_units(paths: Sequence[UnitPath], k: int) -> tuple[list[UnitPath], list[UnitFold]]:
    """The unit path each person is stored under, and the folds made (see the module doc)."""
    size: Counter[UnitPath] = Counter()
    children: dict[UnitPath, set[UnitPath]] = defaultdict(set)
    for path in paths:
        for depth in range(len(path) + 1):
            size[path[:depth]] += 1
            if depth:
                children[path[: depth - 1]].add(path[:depth])
    target: dict[UnitPath, UnitPath] = {}
    folds: list[UnitFold] = []
    pending: list[UnitPath] = [()]
    while pending:
        node = pending.pop()
        target[node] = node
        kept = sorted((c for c in children[node] if size[c] >= k), key=lambda c: (size[c], c))
        leftover = size[node] - sum(size[c] for c in kept)
        while 0 < leftover < k and kept:
            absorbed = kept.pop(0)
            leftover += size[absorbed]
            folds.append(UnitFold(absorbed, node, size[absorbed], True))
        for child in children[node]:
            if child in kept:
                pending.append(child)
            elif size[child] < k:
                folds.append(UnitFold(child, node, size[child], False))
    return [_stored_path(path, target) for path in paths], sorted(folds, key=lambda f: f.path)


def _stored_path(path: UnitPath, target: Mapping[UnitPath, UnitPath]) -> UnitPath:
    """The deepest prefix of ``path`` that is stored as itself."""
    for depth in range(len(path), -1, -1):
        if path[:depth] in target:
            return path[:depth]
    return ()


def _generalise_within(
    people: Sequence[Mapping[str, str]], secondary: Sequence[str], k: int
) -> list[dict[str, str]]:
    """Secondary values per person inside one unit cell, every combination 0 or ≥ k."""
    if not secondary:
        return [{} for _ in people]
    keys = [tuple(person.get(name) or GENERALISED for name in secondary) for person in people]
    distinct = {j: len({key[j] for key in keys}) for j in range(len(secondary))}
    for j in sorted(distinct, key=lambda j: (-distinct[j], secondary[j])):
        counts = Counter(keys)
        small = {key for key, count in counts.items() if count < k}
        if not small:
            break
        keys = [(*key[:j], GENERALISED, *key[j + 1:]) if key in small else key for key in keys]
    keys = _absorb_leftover(keys, k)
    return [dict(zip(secondary, key, strict=True)) for key in keys]


def _absorb_leftover(keys: list[tuple[str, ...]], k: int) -> list[tuple[str, ...]]:
    """Fold the smallest combinations into a leftover of 1..k-1 people until it reaches k."""
    if not keys:
        return keys
    everything = (GENERALISED,) * len(keys[0])
    counts = Counter(keys)
    small = {key for key, count in counts.items() if count < k}
    absorbed = set(small)
    leftover = sum(counts[key] for key in small) + (counts[everything] if everything not in
                                                       small else 0)
    for key in sorted(counts, key=lambda c: (counts[c], c)):
        if not 0 < leftover < k:
            break
        if key not in absorbed and key != everything:
            absorbed.add(key)
            leftover += counts[key]
    return [everything if key in absorbed else key for key in keys]
