"""What a report reads: sufficient statistics of one cell (wave x group), every report figure
from them, and the waves (:class:`WaveData`) that carry them.

A :class:`CellAggregate` is built once when a wave closes, stored as JSON, and summed
(``+``) to roll cells up to departments, tenure bands or the whole organisation. All
counts and moments are integers (composites live on the grid ``composite * L`` with
``L = lcm(1..m)``), so roll-ups are exact and independent of respondent order.
Pure numpy; no Flask, no SQLAlchemy (the loader, :mod:`reports.storage.load`, fills them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from reports import stats
from reports.quarters import Quarter
from reports.stats.composite import composite_grid, grid_resolution
from reports.stats.report import Comparison, compare_waves
from survey.waves.design import CellDesign

__all__ = [
    "ActionMarker",
    "AggregateStack",
    "CellAggregate",
    "CellData",
    "ItemSpec",
    "Measure",
    "PrincipleMeta",
    "WaveData",
    "alpha",
    "build_cell_aggregate",
    "compare",
    "driver",
    "driver_weights",
    "favourable",
    "histogram",
    "stack",
]

KINDS = {"likert5": (1, 5), "nps11": (0, 10)}


@dataclass(frozen=True)
class ItemSpec:
    """A closed item: ``kind`` is 'likert5' or 'nps11'; ``principle`` only for likert."""

    item_id: int
    kind: str
    principle: str | None = None
    reverse: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"item {self.item_id}: kind must be one of {sorted(KINDS)}")
        if self.kind == "nps11" and (self.principle is not None or self.reverse):
            raise ValueError(f"item {self.item_id}: nps11 items take no principle or reverse")


@dataclass(frozen=True, order=True)
class Measure:
    """What one figure is about: a principle's composite, or one scored item.

    Exactly one of ``principle`` (a code) and ``item_id`` is set.  The gate knows a measure by
    its :attr:`name`, ``principle:<code>`` or ``item:<id>``.
    """

    principle: str | None = None
    item_id: int | None = None

    def __post_init__(self) -> None:
        if (self.principle is None) == (self.item_id is None):
            raise ValueError("a measure is either a principle or an item")

    @classmethod
    def of(cls, key: Measure | int | str) -> Measure:
        """The measure of a principle code (str) or an item id (int), as callers of the
        aggregate functions (benchmarks, tests) pass them; the only place the two are told
        apart by type."""
        if isinstance(key, Measure):
            return key
        return cls(principle=key) if isinstance(key, str) else cls(item_id=int(key))

    @property
    def is_item(self) -> bool:
        """True for a single item (the eNPS item among a report's sections)."""
        return self.item_id is not None

    @property
    def name(self) -> str:
        """The gate's name of the measure."""
        return f"item:{self.item_id}" if self.is_item else f"principle:{self.principle}"


def _frozen(a: Any) -> np.ndarray:
    out = np.array(a, dtype=np.int64)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class CellAggregate:
    """Integer sufficient statistics of one cell; ``a + b`` pools two disjoint cells.

    Attributes: ``n_respondents``; ``item_hist[item_id]`` (counts of 1..5 after
    reversing, or 0..10); ``composite_hist[p]`` (counts of grid points L..5L);
    ``alpha_n/alpha_sums/alpha_cross[p]`` (complete cases of p's items);
    ``joint[p]`` (composite grid x nps 0..10); ``driver_n/driver_sums/driver_cross``
    (complete cases of all composites on their grids, then nps).
    """

    items: tuple[ItemSpec, ...]
    n_respondents: int
    item_hist: dict[int, np.ndarray]
    composite_hist: dict[str, np.ndarray]
    alpha_n: dict[str, int]
    alpha_sums: dict[str, np.ndarray]
    alpha_cross: dict[str, np.ndarray]
    joint: dict[str, np.ndarray]
    driver_n: int
    driver_sums: np.ndarray
    driver_cross: np.ndarray

    _ARRAYS = ("item_hist", "composite_hist", "alpha_sums", "alpha_cross", "joint")

    @property
    def principles(self) -> tuple[str, ...]:
        """Principle names in questionnaire order."""
        return tuple(dict.fromkeys(i.principle for i in self.items if i.principle))

    @property
    def nps_item(self) -> ItemSpec | None:
        """The nps11 item, if the questionnaire has one."""
        return next((i for i in self.items if i.kind == "nps11"), None)

    def __add__(self, other: CellAggregate) -> CellAggregate:
        if not isinstance(other, CellAggregate):
            return NotImplemented
        if other.items != self.items:
            raise ValueError("cannot add aggregates of different questionnaires")
        fields: dict[str, Any] = {
            name: {k: _frozen(v + getattr(other, name)[k]) for k, v in getattr(self, name).items()}
            for name in self._ARRAYS
        }
        fields["alpha_n"] = {k: v + other.alpha_n[k] for k, v in self.alpha_n.items()}
        return CellAggregate(
            self.items, self.n_respondents + other.n_respondents, driver_n=self.driver_n +
            other.driver_n, driver_sums=_frozen(self.driver_sums + other.driver_sums),
            driver_cross=_frozen(self.driver_cross + other.driver_cross), **fields,
        )

    def __radd__(self, other: Any) -> CellAggregate:
        return self if other == 0 else NotImplemented

    @classmethod
    def total(cls, cells: Sequence[CellAggregate]) -> CellAggregate:
        """Sum many aggregates in one pass (same result as ``sum(cells)``, faster)."""
        if not cells:
            raise ValueError("need at least one aggregate")
        first = cells[0]
        if any(c.items != first.items for c in cells):
            raise ValueError("cannot add aggregates of different questionnaires")

        def add(get: Any) -> np.ndarray:
            return _frozen(np.sum([get(c) for c in cells], axis=0))

        fields: dict[str, Any] = {
            name: {k: add(lambda c, n=name, k=k: getattr(c, n)[k]) for k in getattr(first, name)}
            for name in cls._ARRAYS
        }
        fields["alpha_n"] = {k: sum(c.alpha_n[k] for c in cells) for k in first.alpha_n}
        return cls(first.items, sum(c.n_respondents for c in cells),
                   driver_n=sum(c.driver_n for c in cells),
                   driver_sums=add(lambda c: c.driver_sums),
                   driver_cross=add(lambda c: c.driver_cross), **fields)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (lists of ints, string keys)."""
        out: dict[str, Any] = {"items": [asdict(i) for i in self.items],
                               "n_respondents": self.n_respondents,
                               "alpha_n": dict(self.alpha_n), "driver_n": self.driver_n,
                               "driver_sums": self.driver_sums.tolist(),
                               "driver_cross": self.driver_cross.tolist()}
        for name in self._ARRAYS:
            out[name] = {str(k): v.tolist() for k, v in getattr(self, name).items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellAggregate:
        """Inverse of :meth:`to_dict`."""
        fields = {name: {k: _frozen(v) for k, v in data[name].items()} for name in cls._ARRAYS}
        fields["item_hist"] = {int(k): v for k, v in fields["item_hist"].items()}
        return cls(
            tuple(ItemSpec(**i) for i in data["items"]), int(data["n_respondents"]),
            alpha_n={k: int(v) for k, v in data["alpha_n"].items()},
            driver_n=int(data["driver_n"]), driver_sums=_frozen(data["driver_sums"]),
            driver_cross=_frozen(data["driver_cross"]), **fields,
        )


def _validate(raw: Any, items: Sequence[ItemSpec]) -> np.ndarray:
    x = np.asarray(raw, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(items):
        raise ValueError(f"raw must be (n_respondents, {len(items)}), got shape {x.shape}")
    if sum(i.kind == "nps11" for i in items) > 1:
        raise ValueError("at most one nps11 item is supported")
    if len({i.item_id for i in items}) != len(items):
        raise ValueError("item ids must be unique")
    for j, spec in enumerate(items):
        lo, hi = KINDS[spec.kind]
        col = x[:, j][~np.isnan(x[:, j])]
        if np.any((col < lo) | (col > hi) | (col != np.round(col))):
            raise ValueError(f"item {spec.item_id}: answers must be whole numbers {lo}..{hi}")
    x = x.copy()
    rev = [j for j, s in enumerate(items) if s.reverse]
    x[:, rev] = 6.0 - x[:, rev]
    return x


def _principle_parts(x: np.ndarray, nps: np.ndarray | None) -> dict[str, Any]:
    """Composite grid and its histogram, alpha moments and joint table for one principle."""
    lcm = grid_resolution(x.shape[1])
    g = composite_grid(x)
    ok = g >= 0
    hist = np.bincount(g[ok] - lcm, minlength=4 * lcm + 1)
    cc = x[~np.isnan(x).any(axis=1)].astype(np.int64)
    joint = np.zeros((4 * lcm + 1, 11), dtype=np.int64)
    if nps is not None:
        both = ok & ~np.isnan(nps)
        flat = (g[both] - lcm) * 11 + nps[both].astype(np.int64)
        joint = np.bincount(flat, minlength=joint.size).reshape(joint.shape)
    return {"grid": g, "hist": hist, "n": cc.shape[0], "sums": cc.sum(axis=0),
            "cross": cc.T @ cc, "joint": joint}


def build_cell_aggregate(raw: Any, items: Sequence[ItemSpec]) -> CellAggregate:
    """Build a cell's aggregate from raw answers (n x items, NaN = skipped).

    Reverse-worded likert items are reversed (6 - x) first. Comment items must be
    excluded by the caller.
    """
    items = tuple(items)
    x = _validate(raw, items)
    item_hist = {}
    for j, s in enumerate(items):
        col = x[:, j][~np.isnan(x[:, j])].astype(np.int64) - KINDS[s.kind][0]
        item_hist[s.item_id] = _frozen(np.bincount(col, minlength=KINDS[s.kind][1] + 1 -
                                                   KINDS[s.kind][0]))
    nps_j = next((j for j, s in enumerate(items) if s.kind == "nps11"), None)
    nps = None if nps_j is None else x[:, nps_j]
    names = tuple(dict.fromkeys(s.principle for s in items if s.principle))
    parts = {p: _principle_parts(x[:, [j for j, s in enumerate(items) if s.principle == p]],
                                 nps) for p in names}
    cols = [parts[p]["grid"].astype(float) for p in names]
    d = np.column_stack([*cols, nps] if nps is not None else cols) if cols else np.zeros((0, 0))
    d = d[np.all(d >= 0, axis=1) & ~np.isnan(d).any(axis=1)].astype(np.int64)
    return CellAggregate(
        items, x.shape[0], item_hist,
        {p: _frozen(v["hist"]) for p, v in parts.items()},
        {p: int(v["n"]) for p, v in parts.items()},
        {p: _frozen(v["sums"]) for p, v in parts.items()},
        {p: _frozen(v["cross"]) for p, v in parts.items()},
        {p: _frozen(v["joint"]) for p, v in parts.items()},
        d.shape[0], _frozen(d.sum(axis=0)), _frozen(d.T @ d),
    )


def _grid_values(agg: CellAggregate, principle: str) -> np.ndarray:
    size = agg.composite_hist[principle].size
    lcm = (size - 1) // 4
    return np.arange(lcm, 5 * lcm + 1) / lcm


def histogram(agg: CellAggregate, key: Measure | int | str) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts) of a measure: an item (int id) or a principle composite (str code)."""
    measure = Measure.of(key)
    if measure.principle is not None:
        if measure.principle not in agg.composite_hist:
            raise ValueError(f"unknown principle {measure.principle!r}")
        return (_grid_values(agg, measure.principle),
                np.asarray(agg.composite_hist[measure.principle]))
    spec = _item_spec(agg.items, measure)
    lo, hi = KINDS[spec.kind]
    return np.arange(lo, hi + 1, dtype=float), np.asarray(agg.item_hist[spec.item_id])


def _item_spec(items: Sequence[ItemSpec], measure: Measure) -> ItemSpec:
    spec = next((s for s in items if s.item_id == measure.item_id), None)
    if spec is None:
        raise ValueError(f"unknown item id {measure.item_id!r}")
    return spec


def favourable(agg: CellAggregate, key: Measure | int | str) -> tuple[int, int]:
    """(favourable count, n) of a likert item or composite (value >= 4)."""
    v, c = histogram(agg, key)
    return int(c[v >= 4].sum()), int(c.sum())


def alpha(agg: CellAggregate, principle: str) -> stats.AlphaResult:
    """Cronbach's alpha (Feldt CI) of a principle from its complete-case moments."""
    return stats.cronbach_alpha_from_moments(
        agg.alpha_n[principle], agg.alpha_sums[principle], agg.alpha_cross[principle])


def driver(agg: CellAggregate, principle: str) -> stats.CorrelationResult:
    """Spearman correlation of a principle composite with the nps11 item."""
    if agg.nps_item is None:
        return stats.CorrelationResult(0, **stats.reason_fields("missing_item"))
    return stats.spearman_from_joint(_grid_values(agg, principle), np.arange(11.0),
                                     agg.joint[principle])


def driver_weights(agg: CellAggregate) -> stats.RelativeWeightsResult:
    """Johnson relative weights of all composites for nps (complete cases)."""
    if agg.nps_item is None or not agg.principles:
        return stats.RelativeWeightsResult(**stats.reason_fields("missing_item"))
    r = stats.correlation_from_moments(agg.driver_n, agg.driver_sums, agg.driver_cross)
    if r is None:
        return stats.RelativeWeightsResult(**stats.reason_fields("no_variance"))
    return stats.relative_weights(r)


def compare(prev: CellAggregate, curr: CellAggregate, key: Measure | int | str) -> Comparison:
    """Primary wave-on-wave comparison (score, or eNPS for the nps item) of one key."""
    nps = agg_is_nps(curr, key)
    return compare_waves("enps" if nps else "score", *histogram(prev, key),
                         *histogram(curr, key))


def agg_is_nps(agg: CellAggregate, key: Measure | int | str) -> bool:
    """True when ``key`` is the nps11 item."""
    return agg.nps_item is not None and Measure.of(key).item_id == agg.nps_item.item_id


@dataclass(frozen=True, eq=False)
class AggregateStack:
    """Many aggregates of one questionnaire as arrays with a leading row axis.

    ``arrays[(field, key)]`` stacks ``getattr(aggregate, field)[key]`` of every row, e.g.
    ``("composite_hist", "Trust")`` is (rows, grid) and ``("alpha_cross", p)`` is
    (rows, k, k). The report pools groups with it (:func:`reports.figures.pool_groups`).
    """

    items: tuple[ItemSpec, ...]
    n_respondents: np.ndarray
    arrays: dict[tuple[str, Any], np.ndarray]

    def pool(self, membership: Any) -> AggregateStack:
        """Roll rows up into groups: ``membership`` (groups x rows) of 0/1, dense or scipy
        sparse; one sparse product per array, in exact integers."""
        m = sparse.csr_array(membership, dtype=np.int64)
        if m.shape[1] != self.n_respondents.size:
            raise ValueError(f"membership must be (groups, {self.n_respondents.size}), "
                             f"got {m.shape}")
        if m.nnz and (m.data.min() < 0 or m.data.max() > 1):
            raise ValueError("membership must be 0 or 1")
        return AggregateStack(self.items, _frozen(m @ self.n_respondents),
                              {k: _pool(m, a) for k, a in self.arrays.items()})

    def aggregate(self, row: int) -> CellAggregate:
        """Row ``row`` as a :class:`CellAggregate` (e.g. one pooled group)."""
        fields: dict[str, Any] = {name: {} for name in (*CellAggregate._ARRAYS, "alpha_n")}
        extra: dict[str, Any] = {}
        for (name, key), array in self.arrays.items():
            if key is None:
                extra[name] = int(array[row]) if name == "driver_n" else array[row]
            elif name == "alpha_n":
                fields[name][key] = int(array[row])
            else:
                fields[name][key] = array[row]
        return CellAggregate(self.items, int(self.n_respondents[row]), **fields, **extra)

    def histograms(self, key: Measure | int | str) -> tuple[np.ndarray, np.ndarray]:
        """(values, counts (rows, K)) of a measure, as ``histogram``."""
        measure = Measure.of(key)
        if measure.principle is not None:
            counts = self.arrays.get(("composite_hist", measure.principle))
            if counts is None:
                raise ValueError(f"unknown principle {measure.principle!r}")
            lcm = (counts.shape[1] - 1) // 4
            return np.arange(lcm, 5 * lcm + 1) / lcm, counts
        lo, hi = KINDS[_item_spec(self.items, measure).kind]
        return np.arange(lo, hi + 1, dtype=float), self.arrays[("item_hist", measure.item_id)]


def _pool(member: sparse.csr_array, rows: np.ndarray) -> np.ndarray:
    """``member @ rows`` over the leading axis, in int64 (sparse times dense: the cost
    follows the cells the groups hold, not groups x cells)."""
    flat = rows.reshape(rows.shape[0], -1)
    return _frozen(np.asarray(member @ flat).reshape(member.shape[0], *rows.shape[1:]))


def stack(aggregates: Sequence[CellAggregate]) -> AggregateStack:
    """Stack aggregates of one questionnaire row by row (see :class:`AggregateStack`)."""
    if not aggregates:
        raise ValueError("need at least one aggregate")
    first = aggregates[0]
    if any(a.items != first.items for a in aggregates):
        raise ValueError("cannot stack aggregates of different questionnaires")
    arrays = {(name, key): _frozen(np.stack([getattr(a, name)[key] for a in aggregates]))
              for name in (*CellAggregate._ARRAYS, "alpha_n") for key in getattr(first, name)}
    for name in ("driver_n", "driver_sums", "driver_cross"):
        arrays[(name, None)] = _frozen(np.stack([np.asarray(getattr(a, name))
                                                 for a in aggregates]))
    return AggregateStack(first.items, _frozen([a.n_respondents for a in aggregates]), arrays)


# What a report reads about waves, principles and logged actions: plain data the loader
# (``reports.storage.load``) fills from the database and everything after it only reads.

CLOSED = "closed"
"""``WaveStatus.CLOSED`` of ``survey.waves.services`` (which imports the models, so not here)."""


@dataclass(frozen=True)
class CellData:
    """One stored cell of a wave."""

    id: int
    key: tuple[tuple[str, str], ...]
    invited: int
    responses: int
    joined: int
    left: int


@dataclass(frozen=True)
class WaveData:
    """A wave with its cells and, when closed, its aggregates by cell id."""

    id: int
    label: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    """The wave's derived state (a ``survey.waves.services.WaveStatus`` value)."""
    k: int
    k_comments: int
    invited: int
    responded: int
    quarter: Quarter
    cells: tuple[CellData, ...]
    aggregates: dict[int, CellAggregate] = field(default_factory=dict)
    design: CellDesign = field(default_factory=lambda: CellDesign((), ()))
    """What the wave reports: unit hierarchy, secondary attributes, folds, group sizes."""
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Results derived from this (immutable) wave: plans, pooled aggregates (``figures``)."""

    @property
    def closed(self) -> bool:
        """Figures exist only for closed waves."""
        return self.status == CLOSED


@dataclass(frozen=True)
class PrincipleMeta:
    """A principle's code and titles."""

    code: str
    title_ja: str
    title_en: str


@dataclass(frozen=True)
class ActionMarker:
    """An action plan as the report marks it on charts and tests it (before/after).

    The stored row is ``survey.plans.models.ActionPlan``; this is what the report reads of it:
    the day it starts, its title, its principles, its unit (``()`` is the whole organisation)
    and its status (``planned``, ``in_progress``, ``done``)."""

    on: dt.date
    text: str
    principles: tuple[str, ...]
    unit: tuple[str, ...] = ()
    status: str = "planned"
