"""Differencing attack on the disclosure gate.

The attacker sees every figure the gate shows for the breakdowns they request. A figure
about a group (a count, or a histogram of answers) is a sum over stored cells, so the
attacker holds the indicator vectors of the shown groups and may add and subtract them
freely. They win if the indicator of some set of cells holding 1..k-1 people lies in the
row space of what they saw: then that set's figures (its histogram) can be computed.

The attacker works independently of the gate's atom reasoning: exact rational Gaussian
elimination gives the null space N of the seen rows, and x is in the row space iff
N x = 0. Cells with nobody in them may be added to a target set for free.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from math import lcm
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from reports.disclosure import GENERALISED, Cell, plan

EXAMPLES = 400


# -- the attacker ---------------------------------------------------------------------------

def null_space(rows: list[list[int]], n: int) -> list[list[int]]:
    """Integer basis of {v : row . v = 0 for every row}, by exact Gauss-Jordan elimination."""
    m = [[Fraction(x) for x in row] for row in rows]
    pivots: list[int] = []
    r = 0
    for c in range(n):
        pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        m[r] = [x / m[r][c] for x in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        v = [Fraction(0)] * n
        v[free] = Fraction(1)
        for i, c in enumerate(pivots):
            v[c] = -m[i][free]
        scale = lcm(*(x.denominator for x in v))
        basis.append([int(x * scale) for x in v])
    return basis


def isolated_sets(rows: list[list[int]], weights: list[int], k: int) -> list[frozenset[int]]:
    """Every set S of cells with 0 < weight(S) < k whose indicator is in the row space."""
    n = len(weights)
    basis = null_space(rows, n) if rows else [[int(i == j) for j in range(n)] for i in range(n)]
    zeros = [i for i in range(n) if weights[i] == 0]
    positive = [i for i in range(n) if weights[i] > 0]

    def project(cells: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sum(v[i] for i in cells) for v in basis)

    fillers: dict[tuple[int, ...], tuple[int, ...]] = {}
    for size in range(len(zeros) + 1):
        for extra in combinations(zeros, size):
            fillers.setdefault(project(extra), extra)
    found = []
    for size in range(1, len(positive) + 1):
        for core in combinations(positive, size):
            if sum(weights[i] for i in core) >= k:
                continue
            need = tuple(-x for x in project(core))
            if need in fillers:
                found.append(frozenset(core + fillers[need]))
    return found


def seen_rows(decisions_by_request, cell_order) -> list[list[int]]:
    """Indicator vectors of every shown group, as the attacker records them."""
    rows = []
    for decisions in decisions_by_request:
        for d in decisions:
            if d.shown:
                rows.append([int(key in d.cells) for key in cell_order])
    return rows


# -- random organisations -------------------------------------------------------------------

@st.composite
def organisations(draw):
    """2-3 attributes, maybe a 部 > 課 hierarchy, up to 10 cells, counts around k."""
    hierarchical = draw(st.booleans())
    if hierarchical:
        extra = draw(st.sampled_from([(), ("tenure",)]))
        attributes, hierarchy = ("部", "課", *extra), ("部", "課")
    else:
        attributes = draw(st.sampled_from([("a", "b"), ("a", "b", "c")]))
        hierarchy = ()
    keys = draw(st.lists(_keys(attributes, hierarchical), min_size=1, max_size=10,
                         unique=True))
    cells = []
    for key in keys:
        responses = draw(st.integers(0, 9))
        invited = responses + draw(st.integers(0, 3))
        cells.append(Cell(key, invited, responses))
    return cells, attributes, hierarchy, draw(st.integers(3, 5))


def _keys(attributes, hierarchical):
    def build(values):
        return tuple(sorted(zip(attributes, values, strict=True)))

    flat = st.sampled_from(["0", "1", "2", GENERALISED])
    if not hierarchical:
        return st.tuples(*[flat] * len(attributes)).map(build)
    bu = st.sampled_from(["A", "B", GENERALISED])
    units = bu.flatmap(lambda b: st.tuples(
        st.just(b), st.just(GENERALISED) if b == GENERALISED
        else st.sampled_from([b + "1", b + "2", GENERALISED])))
    rest = st.tuples(*[flat] * (len(attributes) - 2))
    return st.tuples(units, rest).map(lambda t: build(t[0] + t[1]))


def _leaks(cells, decisions_by_request, weights, k):
    order = [c.key for c in cells]
    return isolated_sets(seen_rows(decisions_by_request, order), weights, k)


# -- the gate holds --------------------------------------------------------------------------

@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.data())
def test_no_request_sequence_isolates_fewer_than_k(org, data):
    cells, attributes, hierarchy, k = org
    gate = plan(cells, attributes, hierarchy, k)
    requests = data.draw(st.lists(st.sampled_from(gate.breakdowns), min_size=1, max_size=8))
    seen = [gate.groups(b) for b in requests]
    assert _leaks(cells, seen, [c.responses for c in cells], k) == []


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.data())
def test_every_breakdown_together_isolates_nobody(org, data):
    cells, attributes, hierarchy, k = org
    answered = [data.draw(st.integers(0, c.responses)) for c in cells]
    gate = plan(cells, attributes, hierarchy, k,
                measure_counts={"q1": {c.key: a for c, a in zip(cells, answered, strict=True)}})
    every = gate.breakdowns
    assert _leaks(cells, [gate.groups(b) for b in every], [c.responses for c in cells], k) == []
    assert _leaks(cells, [gate.groups(b, "q1") for b in every], answered, k) == []
    rates = [gate.response_rates(b) for b in every]
    assert _leaks(cells, rates, [c.responses for c in cells], k) == []
    assert _leaks(cells, rates, [c.invited for c in cells], k) == []


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(organisations())
def test_comments_never_isolate_fewer_than_k_comments(org):
    cells, attributes, hierarchy, k = org
    gate = plan(cells, attributes, hierarchy, k, k_comments=k + 2)
    seen = [gate.comments(b, {}) for b in gate.breakdowns]
    assert _leaks(cells, seen, [c.responses for c in cells], k + 2) == []


# -- the attack can succeed: a naive gate that only hides groups below k ----------------------

class _Shown:
    def __init__(self, cells):
        self.cells = cells
        self.shown = True


def naive_gate(cells: list[Any], attributes: list[str], k: int) -> list[Any]:
    """Shows every group with at least k responses and nothing else."""
    requests = [(), *[(a,) for a in attributes], *combinations(attributes, 2)]
    seen = []
    for breakdown in requests:
        groups: dict[tuple[str, ...], list] = {}
        for cell in cells:
            values = tuple(dict(cell.key)[a] for a in breakdown)
            if GENERALISED not in values:
                groups.setdefault(values, []).append(cell)
        seen.append([_Shown(tuple(c.key for c in g)) for g in groups.values()
                     if sum(c.responses for c in g) >= k])
    return seen


def _cross(counts):
    return [Cell((("dept", d), ("tenure", t)), n + 2, n) for (d, t), n in counts.items()]


MARGINAL_LEAK = _cross({("A", "T1"): 4, ("A", "T2"): 1, ("B", "T1"): 5, ("B", "T2"): 5})


def test_attacker_defeats_naive_gate_on_marginals():
    """T2 minus (B, T2) is (A, T2): one person, whose answers the naive gate gives away."""
    leaks = _leaks(MARGINAL_LEAK, naive_gate(MARGINAL_LEAK, ("dept", "tenure"), 5),
                   [c.responses for c in MARGINAL_LEAK], 5)
    assert frozenset({1}) in leaks


def test_gate_resists_the_same_marginals():
    gate = plan(MARGINAL_LEAK, ("dept", "tenure"), (), 5)
    seen = [gate.groups(b) for b in gate.breakdowns]
    assert _leaks(MARGINAL_LEAK, seen, [c.responses for c in MARGINAL_LEAK], 5) == []


def test_hypothesis_finds_an_organisation_the_naive_gate_leaks():
    def leaky(org):
        cells, attributes, _, k = org
        flat = [c for c in cells if all(v != GENERALISED for _, v in c.key)]
        return bool(flat) and bool(_leaks(flat, naive_gate(flat, attributes, k),
                                          [c.responses for c in flat], k))

    cells, _, _, k = find(organisations(), leaky, settings=settings(max_examples=2000))
    assert any(0 < c.responses < k for c in cells)


@pytest.mark.parametrize("weights, k", [([1, 0, 7], 5), ([4, 4], 5)])
def test_attacker_sees_a_set_given_directly(weights, k):
    rows = [[1, 1, 0], [0, 0, 1]] if len(weights) == 3 else [[1, 1]]
    found = isolated_sets(rows, weights, k)
    assert found == ([frozenset({0, 1})] if len(weights) == 3 else [])


def test_attacker_sees_through_product_of_rows():
    """Sanity check of the linear algebra: the difference of two nested rows is found."""
    rows = [[1, 1, 1], [1, 1, 0]]
    assert isolated_sets(rows, [3, 3, 2], 5) == [frozenset({2})]
