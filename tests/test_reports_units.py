"""Unit-first breakdowns end to end through the gate, on organisations shaped like real
personnel files (tests/orgs.py): every unit of k or more is reported whole, coverage adds up,
and no figure anywhere is about fewer than k people."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.disclosure import GENERALISED, Cell, plan
from survey.waves.cells import unit_path
from survey.waves.design import Member, design_cells
from tests.orgs import town_halls


def _gate(people, hierarchy, secondary, k, answered=None):
    design, keys = design_cells([Member(p) for p in people], hierarchy, secondary, k)
    invited = Counter(keys)
    responses = answered(keys) if answered else invited
    cells = [Cell(key, invited[key], responses[key]) for key in sorted(invited)]
    return design, cells, plan(cells, design.attributes, design.hierarchy, k)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=town_halls(max_staff=800), k=st.integers(3, 8))
def test_with_everyone_answering_every_unit_of_k_is_shown_whole(org, k: int) -> None:
    people, hierarchy, secondary = org
    design, _keys, gate = _gate(people, hierarchy, secondary[:1], k)
    folded = {f.path for f in design.folds}
    sizes = Counter(p[:d] for p in (unit_path(x, hierarchy) for x in people)
                    for d in range(1, len(p) + 1))
    for depth, level in enumerate(hierarchy, start=1):
        shown = {tuple(v for _a, v in d.label): d.n for d in gate.groups((level,)) if d.shown}
        for unit, size in sizes.items():
            inside_fold = any(unit[:d] in folded for d in range(1, len(unit) + 1))
            if len(unit) == depth and size >= k and not inside_fold:
                assert shown.get(unit) == size, (level, unit, size)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=town_halls(max_staff=600), k=st.integers(3, 8), seed=st.integers(0, 2**16))
def test_coverage_adds_up_and_nothing_below_k_is_shown(org, k: int, seed: int) -> None:
    people, hierarchy, secondary = org
    rng = np.random.default_rng(seed)

    def some_answer(keys):
        counts = Counter(keys)
        return {key: int(rng.binomial(n, 0.7)) for key, n in counts.items()}

    design, cells, gate = _gate(people, hierarchy, secondary, k, some_answer)
    responses = {c.key: c.responses for c in cells}
    total = gate.groups(())[0]
    for name in design.attributes:
        decisions = gate.groups((name,))
        assert all(d.n >= k for d in decisions if d.shown)
        coverage = gate.coverage((name,))
        if coverage is None:
            assert not total.shown
            continue
        covered_cells = {key for d in decisions if d.shown for key in d.cells}
        assert coverage.covered == sum(responses[key] for key in covered_cells)
        assert coverage.covered + coverage.outside == coverage.total == total.n
        rest = coverage.remainder
        if coverage.covered and coverage.outside:
            # The rest is a union of atoms: never 1..k-1 people, and shown as その他.
            assert rest is not None and rest.n == coverage.outside >= k
            assert all(value == GENERALISED for _a, value in rest.label)
        else:
            assert rest is None
