"""The disclosure plan of one wave: every requestable group, solved once, then read per page."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ._groups import Layout, Node, canonical, layout, requestable
from ._model import (
    GENERALISED,
    Breakdown,
    Cell,
    CellKey,
    CommentGroup,
    Coverage,
    GroupDecision,
    Label,
    ReachWarning,
    Reason,
    Status,
)
from ._solver import atoms_hold, suppress_with_atoms

COUNTS = "counts"
RATES = "rates"
COMMENTS = "comments"


@dataclass(frozen=True)
class Verdicts:
    """One kind of figure solved over all groups: a reason per group and what ``n`` counts.

    ``atoms`` labels each cell by the published groups it belongs to (see ``_solver``).
    """

    reasons: tuple[Reason, ...]
    n: np.ndarray
    threshold: int
    noun: str
    atoms: np.ndarray | None = None


@dataclass(frozen=True)
class Problem:
    """Every requestable group as a row of cell membership, with its breakdown's priority.

    ``masks`` is (groups x cells), sparse: each group holds a few of thousands of cells."""

    masks: sparse.csr_array | np.ndarray
    tiers: np.ndarray

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Each group's totals of each vector (groups x vectors)."""
        return np.asarray(sparse.csr_array(self.masks, dtype=np.int64) @ values.T)


class DisclosurePlan:
    """Which groups of a wave may be published, for every breakdown a user can request.

    Built by :func:`plan`. The published set depends only on the wave's data, never on
    which page asks first, so any sequence of requests sees a subset of one checked set.
    """

    def __init__(self, cells: Sequence[Cell], attributes: tuple[str, ...],
                 layouts: dict[Breakdown, Layout], sets: list[frozenset[int]],
                 verdicts: dict[str, Verdicts], k: int, k_comments: int) -> None:
        self._cells = tuple(cells)
        self.attributes = attributes
        self._layouts = layouts
        self._index = {s: i for i, s in enumerate(sets)}
        self._verdicts = verdicts
        self.k = k
        self.k_comments = k_comments
        self._decided: dict[tuple[Breakdown, str], tuple[GroupDecision, ...]] = {}

    @property
    def breakdowns(self) -> list[Breakdown]:
        """The breakdowns this plan vouches for."""
        return list(self._layouts)

    @property
    def measures(self) -> list[str]:
        """Measures (items, composites, nps) the plan was given answer counts for."""
        return sorted(k.removeprefix("measure:") for k in self._verdicts if ":" in k)

    def groups(self, breakdown: Sequence[str], measure: str | None = None) -> list[GroupDecision]:
        """Decisions for every group of ``breakdown`` (response counts, or one measure)."""
        kind = COUNTS if measure is None else f"measure:{measure}"
        if kind not in self._verdicts:
            raise ValueError(f"no answer counts were given for measure {measure!r}")
        return self._decide(breakdown, kind)

    def response_rates(self, breakdown: Sequence[str]) -> list[GroupDecision]:
        """Decisions where invited and responses both passed; ``rate`` is set when shown."""
        return self._decide(breakdown, RATES)

    def comments(self, breakdown: Sequence[str],
                 comments_by_cell: Mapping[CellKey, Sequence[str]]) -> list[CommentGroup]:
        """Free text per group, only for groups cleared at k_comments; shuffled, undated.

        The order is drawn from the operating system's CSPRNG so it cannot echo the
        order in which answers arrived.
        """
        shuffle = random.SystemRandom().shuffle
        out = []
        for d in self._decide(breakdown, COMMENTS):
            texts: list[str] = []
            if d.shown:
                texts = [t for key in d.cells for t in comments_by_cell.get(key, ())]
                shuffle(texts)
            out.append(CommentGroup(d.label, d.cells, d.status, d.reason_code, d.reason,
                                    tuple(texts), d.rolled_into, d.includes))
        return out

    def coverage(self, breakdown: Sequence[str], measure: str | None = None) -> Coverage | None:
        """How many of the total's respondents (or a measure's answers) the shown groups of
        ``breakdown`` place, and the その他 group of everyone else; None when the total itself
        is not shown.

        The その他 group is a published figure already: the total minus the shown groups. It
        is the union of the cells in no shown group of the breakdown, and since every shown
        group and the total are published sets, it is a union of the solver's atoms, each 0 or
        at least k; it is checked against the threshold all the same, and shown only above it.
        """
        kind = COUNTS if measure is None else f"measure:{measure}"
        total = self.groups((), measure)[0]
        if not total.shown or total.n is None:
            return None
        decisions = self._decide(breakdown, kind)
        inside = {key for d in decisions if d.shown for key in d.cells}
        verdicts = self._verdicts[kind]
        rest = tuple(c.key for c in self._cells if c.key not in inside)
        n_rest = int(sum(verdicts.n[i] for i, c in enumerate(self._cells) if c.key not in inside))
        remainder = None
        if n_rest >= verdicts.threshold and inside:
            label = tuple((name, GENERALISED) for name in canonical(breakdown, self.attributes))
            remainder = GroupDecision(label, rest, Status.SHOWN, Reason.OK,
                                      "everyone in no shown group", n_rest)
        return Coverage(tuple(breakdown), total.n - n_rest, total.n, remainder)

    def warnings(self, breakdowns: Sequence[Sequence[str]] | None = None
                 ) -> tuple[ReachWarning, ...]:
        """Planned breakdowns whose groups have too few invitees ever to be shown."""
        wanted = self.breakdowns if breakdowns is None else breakdowns
        out: list[ReachWarning] = []
        for raw in wanted:
            out.extend(self._reach(canonical(raw, self.attributes)))
        return tuple(out)

    def _reach(self, breakdown: Breakdown) -> list[ReachWarning]:
        lay = self._layouts[breakdown]
        small = [lay.label(node) for node, cs in lay.leaves.items()
                 if sum(self._cells[i].invited for i in cs) < self.k]
        if len(small) == len(lay.leaves):
            return [ReachWarning(breakdown, "never_reaches_k",
                                 f"no group of {breakdown} has {self.k} or more invitees; "
                                 "it can never be shown at this level", tuple(small))]
        if small:
            return [ReachWarning(breakdown, "groups_never_reach_k",
                                 f"{len(small)} group(s) of {breakdown} have fewer than "
                                 f"{self.k} invitees and will always be hidden or rolled up",
                                 tuple(small))]
        return []

    def _decide(self, breakdown: Sequence[str], kind: str) -> list[GroupDecision]:
        """Decisions of one breakdown and kind; worked out once (the plan is immutable)."""
        key = (canonical(breakdown, self.attributes), kind)
        if key not in self._decided:
            self._decided[key] = tuple(self._work_out(key[0], kind))
        return list(self._decided[key])

    def _work_out(self, breakdown: Breakdown, kind: str) -> list[GroupDecision]:
        lay = self._layouts[breakdown]
        verdicts = self._verdicts[kind]
        rolled: dict[Node, list[Label]] = {}
        out = []
        for node, cs in lay.leaves.items():
            reason = self._reason(cs, verdicts)
            if reason is Reason.OK:
                out.append(self._shown(lay.label(node), cs, verdicts, kind))
                continue
            parent = self._published_parent(lay, lay.chain(node), verdicts)
            if parent is not None:
                rolled.setdefault(parent, []).append(lay.label(node))
            out.append(self._hidden(lay, node, cs, reason, parent, verdicts))
        for node in lay.generalised:
            target = self._published_parent(lay, [node, *lay.chain(node)], verdicts)
            if target is not None:
                rolled.setdefault(target, [])
        for parent in sorted(rolled):
            cs = lay.ancestors[parent]
            out.append(self._shown(lay.label(parent), cs, verdicts, kind, tuple(rolled[parent])))
        return out

    def _reason(self, cells: frozenset[int], verdicts: Verdicts) -> Reason:
        index = self._index.get(cells)
        return Reason.BELOW_K if index is None else verdicts.reasons[index]

    def _published_parent(self, lay: Layout, chain: list[Node], verdicts: Verdicts
                          ) -> Node | None:
        return next((p for p in chain
                     if self._reason(lay.ancestors[p], verdicts) is Reason.OK), None)

    def _shown(self, label: Label, cs: frozenset[int], verdicts: Verdicts, kind: str,
               includes: tuple[Label, ...] = ()) -> GroupDecision:
        n = int(sum(verdicts.n[i] for i in cs))
        invited = sum(self._cells[i].invited for i in cs) if kind == RATES else None
        text = "whole organisation" if not label else "shown"
        if includes:
            text = f"includes {_names(includes)} which are below k"
        return GroupDecision(label, self._keys(cs), Status.SHOWN, Reason.OK, text, n, invited,
                             includes=includes)

    def _hidden(self, lay: Layout, node: Node, cs: frozenset[int], reason: Reason,
                parent: Node | None, verdicts: Verdicts) -> GroupDecision:
        label, keys = lay.label(node), self._keys(cs)
        if reason is Reason.BELOW_K:
            text = f"fewer than {verdicts.threshold} {verdicts.noun}"
        else:
            text = ("hidden so that a smaller hidden group cannot be worked out by "
                    "subtracting published figures")
        if parent is None:
            return GroupDecision(label, keys, Status.SUPPRESSED, reason, text)
        into = lay.label(parent)
        code = Reason.ROLLED_UP if reason is Reason.BELOW_K else reason
        return GroupDecision(label, keys, Status.ROLLED_UP, code,
                             f"{text}; counted in {_names((into,))}", rolled_into=into)

    def _keys(self, cs: frozenset[int]) -> tuple[CellKey, ...]:
        return tuple(self._cells[i].key for i in sorted(cs))


def build(cells: Sequence[Cell], attributes: tuple[str, ...], hierarchy: tuple[str, ...],
          k: int, k_comments: int, answered: Mapping[str, Mapping[CellKey, int]],
          concurrent: str | None = None) -> DisclosurePlan:
    """Lay out every requestable breakdown and solve each kind of figure once."""
    layouts = {b: layout(cells, attributes, hierarchy, b, concurrent)
               for b in requestable(attributes)}
    tiers: dict[frozenset[int], int] = {}
    for tier, lay in enumerate(layouts.values()):
        for cs in lay.leaves.values():
            tiers.setdefault(cs, tier)
    sets = list(tiers)
    columns = [sorted(cs) for cs in sets]
    masks = sparse.csr_array(
        (np.ones(sum(map(len, columns)), dtype=bool),
         np.array([i for cs in columns for i in cs], dtype=np.intp),
         np.cumsum([0, *map(len, columns)])),
        shape=(len(sets), len(cells)))
    responses = np.array([c.responses for c in cells], dtype=np.int64)
    invited = np.array([c.invited for c in cells], dtype=np.int64)
    problem = Problem(masks, np.array(list(tiers.values()), dtype=np.intp))
    counts = _solve(problem, [responses], k, None, "responses")
    verdicts = {
        COUNTS: counts,
        RATES: _solve_within(problem, [responses, invited], k, counts,
                             "responses or invitees"),
        COMMENTS: _solve_within(problem, [responses], k_comments, counts, "responses"),
    }
    for name, per_cell in answered.items():
        vector = np.array([per_cell.get(c.key, 0) for c in cells], dtype=np.int64)
        verdicts[f"measure:{name}"] = _solve_within(problem, [vector], k, counts, "answers")
    return DisclosurePlan(cells, attributes, layouts, sets, verdicts, k, k_comments)


def _solve_within(problem: Problem, vectors: list[np.ndarray], threshold: int,
                  base: Verdicts, noun: str) -> Verdicts:
    """Verdicts of a figure that may only publish what ``base`` publishes; exact shortcut.

    If every atom of ``base``'s published set holds 0 or >= ``threshold`` on every vector,
    every subset of that set has atoms that are unions of those atoms, so the greedy solver
    would accept every group it is offered (it is only offered groups ``base`` published
    that pass primary suppression). The result is then ``base``'s set minus the groups that
    fail primary suppression, with the solver's reasons; no solver run is needed. When an
    atom violates, the solver runs (:func:`_solve`).
    """
    if base.atoms is None or not all(atoms_hold(base.atoms, v, threshold) for v in vectors):
        return _solve(problem, vectors, threshold, base, noun)
    masks = problem.masks
    values = np.stack(vectors) if masks.shape[1] else np.zeros((len(vectors), 0), np.int64)
    primary = np.asarray((problem.sums(values) >= threshold).all(axis=1))
    reasons = tuple(
        old if old is not Reason.OK else (Reason.OK if ok else Reason.BELOW_K)
        for old, ok in zip(base.reasons, primary.tolist(), strict=True)
    )
    return Verdicts(reasons, values[0], threshold, noun)


def _solve(problem: Problem, vectors: list[np.ndarray], threshold: int,
           base: Verdicts | None, noun: str) -> Verdicts:
    """Primary then complementary suppression, never publishing what ``base`` hides.

    Groups are offered coarse breakdown first, then larger groups first, then in the
    fixed layout order: all functions of the data, none of the requests.
    """
    masks = problem.masks
    values = np.stack(vectors) if masks.shape[1] else np.zeros((len(vectors), 0), np.int64)
    group_sums = problem.sums(values)
    primary = np.asarray((group_sums >= threshold).all(axis=1))
    eligible = primary.copy()
    if base is not None:
        eligible &= np.array([r is Reason.OK for r in base.reasons], dtype=bool)
    order = np.lexsort((np.arange(masks.shape[0]), -group_sums[:, 0], problem.tiers))
    published, atoms = suppress_with_atoms(masks, values, threshold,
                                           [int(g) for g in order if eligible[g]])
    reasons = []
    for row in range(masks.shape[0]):
        if base is not None and base.reasons[row] is not Reason.OK:
            reasons.append(base.reasons[row])
        elif published[row]:
            reasons.append(Reason.OK)
        else:
            reasons.append(Reason.COMPLEMENTARY if primary[row] else Reason.BELOW_K)
    return Verdicts(tuple(reasons), values[0], threshold, noun, atoms)


def _names(labels: tuple[Label, ...]) -> str:
    return ", ".join(" / ".join(v for _, v in label) or "organisation" for label in labels)
