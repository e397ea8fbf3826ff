"""In-memory waves for tests of the pure report core: no database, no Flask.

:func:`make_wave` builds a closed :class:`reports.aggregates.WaveData` from answer matrices per
unit, through the same :func:`reports.aggregates.build_cell_aggregate` the close-time summariser
uses, so the builder, the gate and the findings can be tested on numbers chosen by the test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np

from reports.aggregates import (
    CLOSED,
    CellData,
    ItemSpec,
    PrincipleMeta,
    WaveData,
    build_cell_aggregate,
)
from reports.quarters import quarter_of
from survey.waves.design import CellDesign

#: Two principles of two items each, then the recommendation (eNPS) item.
ITEMS = (
    ItemSpec(1, "likert5", "trust"), ItemSpec(2, "likert5", "trust"),
    ItemSpec(3, "likert5", "voice"), ItemSpec(4, "likert5", "voice"),
    ItemSpec(5, "nps11"),
)
PRINCIPLES = (PrincipleMeta("trust", "信頼", "Trust"), PrincipleMeta("voice", "発言", "Voice"))
UNIT = "department"


def answers(n: int, seed: int, trust: int = 3, voice: int = 3, nps: int = 7) -> np.ndarray:
    """``n`` people's answers to :data:`ITEMS`, each item within ±1 of the level given."""
    rng = np.random.default_rng(seed)
    centre = np.array([trust, trust, voice, voice])
    likert = np.clip(centre + rng.integers(-1, 2, size=(n, 4)), 1, 5)
    recommend = np.clip(nps + rng.integers(-2, 3, size=(n, 1)), 0, 10)
    return np.hstack([likert, recommend]).astype(float)


def make_wave(wave_id: int, closes_on: dt.date, units: Mapping[str, np.ndarray], *,
              k: int = 5, start_month: int = 4) -> WaveData:
    """A closed wave with one cell per unit of ``department``, everyone invited answering."""
    cells, aggregates = [], {}
    for cell_id, (name, matrix) in enumerate(units.items(), start=wave_id * 100):
        cells.append(CellData(cell_id, ((UNIT, name),), invited=len(matrix),
                              responses=len(matrix), joined=0, left=0))
        aggregates[cell_id] = build_cell_aggregate(matrix, ITEMS)
    total = sum(len(matrix) for matrix in units.values())
    return WaveData(
        id=wave_id, label=f"wave-{wave_id}", opens_on=closes_on - dt.timedelta(days=14),
        closes_on=closes_on, status=CLOSED, k=k, k_comments=2 * k, invited=total,
        responded=total, quarter=quarter_of(closes_on, start_month), cells=tuple(cells),
        aggregates=aggregates,
        design=CellDesign(hierarchy=(UNIT,), secondary=(),
                          sizes={UNIT: {name: len(m) for name, m in units.items()}}),
    )
