"""Which stored cells make up each group of each breakdown, including hierarchy roll-ups."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from ._model import GENERALISED, MAX_BREAKDOWN_ATTRIBUTES, Breakdown, Cell, Label


@dataclass(frozen=True, order=True)
class Node:
    """A group before labelling: hierarchy path (broad to fine) and the other values."""

    path: tuple[str, ...]
    others: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """The groups of one breakdown as sets of cell indices.

    ``leaves`` are the groups the user asked for. ``ancestors`` are the parent units a
    small leaf can roll up into; each is also a leaf of a coarser requestable breakdown,
    so rolling up never publishes a set of cells the gate has not checked.
    ``generalised`` holds cells whose unit was generalised above the requested level.
    """

    breakdown: Breakdown
    path_attrs: tuple[str, ...]
    other_attrs: tuple[str, ...]
    order: dict[str, int] = field(repr=False)
    leaves: dict[Node, frozenset[int]]
    ancestors: dict[Node, frozenset[int]]
    generalised: dict[Node, frozenset[int]]

    def label(self, node: Node) -> Label:
        """Public label: the node's (attribute, value) pairs in roster attribute order."""
        pairs = list(zip(self.path_attrs, node.path, strict=False))
        pairs += list(zip(self.other_attrs, node.others, strict=True))
        return tuple(sorted(pairs, key=lambda p: self.order[p[0]]))

    def chain(self, node: Node) -> list[Node]:
        """Parent units of ``node``, nearest first, down to the broadest unit."""
        return [Node(node.path[:d], node.others) for d in range(len(node.path) - 1, 0, -1)]


def requestable(attributes: Sequence[str]) -> list[Breakdown]:
    """Every breakdown a user can ask for: the whole organisation, each attribute, each pair."""
    singles = [(a,) for a in attributes]
    return [(), *singles, *combinations(attributes, MAX_BREAKDOWN_ATTRIBUTES)]


def canonical(breakdown: Sequence[str], attributes: Sequence[str]) -> Breakdown:
    """Attribute order as in the roster, so (b, a) and (a, b) are one breakdown."""
    unknown = [a for a in breakdown if a not in attributes]
    if unknown or len(set(breakdown)) != len(breakdown):
        raise ValueError(f"breakdown {tuple(breakdown)} must use distinct roster attributes")
    if len(breakdown) > MAX_BREAKDOWN_ATTRIBUTES:
        raise ValueError(
            f"breakdowns have at most {MAX_BREAKDOWN_ATTRIBUTES} attributes; the gate only "
            "vouches for breakdowns it planned"
        )
    return tuple(sorted(breakdown, key=list(attributes).index))


def layout(
    cells: Sequence[Cell], attributes: Sequence[str], hierarchy: Sequence[str],
    breakdown: Breakdown, concurrent: str | None = None,
) -> Layout:
    """Group the cells for one canonical breakdown.

    With ``concurrent`` (the cell attribute naming concurrent posts, 兼務), a cell also belongs
    to the units of its concurrent posts, so unit groups overlap; the solver works on any sets
    of cells, so overlapping groups are checked like any others (no difference of them may
    single out fewer than k people).
    """
    levels = [hierarchy.index(a) for a in breakdown if a in hierarchy]
    path_attrs = tuple(hierarchy[: max(levels) + 1]) if levels else ()
    other_attrs = tuple(a for a in breakdown if a not in hierarchy)
    leaves: dict[Node, set[int]] = {}
    ancestors: dict[Node, set[int]] = {}
    generalised: dict[Node, set[int]] = {}
    for index, cell in enumerate(cells):
        for node in _nodes(dict(cell.key), path_attrs, other_attrs, concurrent):
            depth = len(node.path)
            if depth == len(path_attrs):
                leaves.setdefault(node, set()).add(index)
            else:
                generalised.setdefault(node, set()).add(index)
            for d in range(1, min(depth, len(path_attrs) - 1) + 1):
                ancestors.setdefault(Node(node.path[:d], node.others), set()).add(index)
    return Layout(
        breakdown, path_attrs, other_attrs, {a: i for i, a in enumerate(attributes)},
        _freeze(leaves), _freeze(ancestors), _freeze(generalised),
    )


def _nodes(values: dict[str, str], path_attrs: tuple[str, ...], other_attrs: tuple[str, ...],
           concurrent: str | None) -> Iterator[Node]:
    """The finest groups a cell belongs to: its main unit's, then its concurrent posts'."""
    main = _node(values, path_attrs, other_attrs)
    if main is not None:
        yield main
    post = values.get(concurrent or "", GENERALISED)
    if not path_attrs or post == GENERALISED or not post:
        return
    seen = {main}
    for path in json.loads(post):
        unit = dict(zip(path_attrs, path, strict=False))
        node = _node({**values, **{a: unit.get(a, GENERALISED) for a in path_attrs}},
                     path_attrs, other_attrs)
        if node is not None and node not in seen:
            seen.add(node)
            yield node


def _node(values: dict[str, str], path_attrs: tuple[str, ...],
          other_attrs: tuple[str, ...]) -> Node | None:
    """The finest group a cell belongs to, or None when it is in the never-shown residual."""
    others = tuple(values[a] for a in other_attrs)
    if GENERALISED in others:
        return None
    path: list[str] = []
    for attr in path_attrs:
        if values[attr] == GENERALISED:
            break
        path.append(values[attr])
    if path_attrs and not path:
        return None
    return Node(tuple(path), others)


def _freeze(groups: dict[Node, set[int]]) -> dict[Node, frozenset[int]]:
    return {node: frozenset(groups[node]) for node in sorted(groups)}
