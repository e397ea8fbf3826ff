"""Differencing attack by a unit head (docs/anonymity.md rule 10).

A unit head knows exactly who is in their unit and who was away, and reads their unit's page
(or the enclosing unit's, when the wave folded theirs), the organisation's page, and the staff
results pages.  On generated town halls (tests/orgs.py), each with a unit head for *every* unit
at once (a coalition of all of them), this test collects every figure those pages can show and
checks two things:

1. each is a group the leadership gate plan published, with the same cells and count, so the
   gate's guarantee (tests/test_attack_differencing.py) covers them: unit pages add no group;
2. the attacker of tests/test_attack_differencing.py, given those figures, finds no set of
   cells holding 1..k-1 answers — knowing who was away changes which people are in a cell's
   count, not which sums of cells were published.

Changes across waves take the strict branch on unit pages (2k answers in both waves), which is
tested in tests/test_reports_disclosure.py.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.disclosure import Cell, plan
from reports.quarterly.unit import unit_decision
from survey.units.reporting import reported_unit
from survey.waves.cells import unit_path
from survey.waves.design import Member, design_cells
from tests.orgs import town_halls
from tests.test_attack_differencing import isolated_sets, seen_rows


def _wave(org, k: int, seed: int):
    people, hierarchy, secondary = org
    design, keys = design_cells([Member(p) for p in people], hierarchy, secondary[:1], k)
    invited = Counter(keys)
    rng = np.random.default_rng(seed)
    responses = {key: int(rng.binomial(n, 0.75)) for key, n in invited.items()}
    cells = [Cell(key, invited[key], responses[key]) for key in sorted(invited)]
    gate = plan(cells, design.attributes, design.hierarchy, k)
    units = {unit_path(p, hierarchy)[:d] for p in people
             for d in range(1, len(unit_path(p, hierarchy)) + 1)}
    return design, cells, gate, sorted(units)


def _unit_head_decisions(design, gate, units):
    """Every decision a page of some unit head (or a staff page) can show: each unit's reported
    unit — response rate and answer count — and the organisation's."""
    seen = [gate.groups(())[0], gate.response_rates(())[0]]
    for unit in units:
        target = reported_unit(design, unit).reported_as
        if target:
            seen += [d for d in (unit_decision(gate, design, target),
                                 unit_decision(gate, design, target, measure=None)) if d]
    return seen


def _published(gate):
    return {(d.label, d.cells, d.n) for breakdown in gate.breakdowns
            for d in [*gate.groups(breakdown), *gate.response_rates(breakdown)] if d.shown}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=town_halls(max_staff=90), k=st.integers(3, 6), seed=st.integers(0, 2**16))
def test_a_unit_head_sees_only_published_groups_and_isolates_nobody(org, k, seed) -> None:
    design, cells, gate, units = _wave(org, k, seed)
    seen = [d for d in _unit_head_decisions(design, gate, units) if d.shown]
    published = _published(gate)
    assert all((d.label, d.cells, d.n) in published for d in seen)
    order = [c.key for c in cells]
    weights = [c.responses for c in cells]
    assert isolated_sets(seen_rows([seen], order), weights, k) == []

