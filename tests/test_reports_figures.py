"""reports.figures: pooled aggregates from the stacked cells equal the plain sum of cells."""

from __future__ import annotations

from functools import reduce
from operator import add

import numpy as np
from flask import Flask

from reports.figures import measures, plan_for, pooled
from reports.storage import load as loading
from survey.db import db
from tests.conftest import TOKEN_KEY


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
