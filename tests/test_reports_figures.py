"""reports.figures: pooled aggregates from the stacked cells equal the plain sum of cells."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import add

import numpy as np
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.figures import estimate, group_figures, measures, plan_for, pool_groups, pooled
from reports.storage import load as loading
from survey.db import db
from tests.conftest import TOKEN_KEY
from tests.wavedata import answers, make_wave


def test_pooled_equals_sum_of_cell_aggregates(app: Flask) -> None:
    from survey.demo import DemoSpec, seed_demo

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=60, waves=2, seed=2), TOKEN_KEY)
        wave = [w for w in loading.load_waves(db.session, 4) if w.closed][-1]
    plan = plan_for(wave)
    by_key = {c.key: wave.aggregates[c.id] for c in wave.cells}
    checked = 0
    for breakdown in plan.breakdowns:
        for decision in plan.groups(breakdown):
            if decision.shown:
                want = reduce(add, (by_key[k] for k in decision.cells))
                assert pooled(wave, decision).to_dict() == want.to_dict()
                checked += 1
    assert checked > 1
    # The measure counts given to the gate are each cell's answers.
    first = next(iter(wave.aggregates.values()))
    for measure in measures(first)[:3]:
        code, item = measure.principle, measure.item_id
        total = plan.groups((), f"principle:{code}" if code is not None else f"item:{item}")
        if total[0].shown:
            answered = sum(int(np.sum(a.composite_hist[code] if code is not None
                                      else a.item_hist[item])) for a in wave.aggregates.values())
            assert total[0].n == answered


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 14), min_size=1, max_size=30), st.integers(0, 2**16))
def test_groups_pooled_at_once_equal_the_plain_per_group_sum(sizes: list[int],
                                                               seed: int) -> None:
    """One sparse product per array for all groups of a breakdown gives every group's figures
    exactly as summing that group's cells one by one does (issue 13: no figure changes)."""
    units = {f"unit{i:02d}": answers(n, seed + i, trust=1 + i % 5, voice=5 - i % 5)
             for i, n in enumerate(sizes)}
    wave = make_wave(1, dt.date(2026, 6, 30), units)
    plan = plan_for(wave)
    by_key = {c.key: wave.aggregates[c.id] for c in wave.cells}
    first = next(iter(wave.aggregates.values()))
    for breakdown in plan.breakdowns:
        for measure in measures(first):
            decisions = [d for d in plan.groups(breakdown, measure.name) if d.shown]
            pool_groups(wave, decisions)
            for figure in group_figures(wave, plan, breakdown, measure):
                if not figure.shown:
                    continue
                plain = reduce(add, (by_key[k] for k in figure.decision.cells))
                assert pooled(wave, figure.decision).to_dict() == plain.to_dict()
                assert {name: getattr(figure, name) for name in estimate(plain, measure)} \
                    == estimate(plain, measure)
