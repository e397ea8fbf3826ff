"""False discovery rate control over all comparisons of one report."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["bh_qvalues"]


def bh_qvalues(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values (q-values); None entries are skipped.

    ``q_(i) = min_{j >= i} m p_(j) / j`` capped at 1, where m counts the non-None p-values.

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
    JRSS B 57, 289-300.
    """
    idx = [i for i, p in enumerate(p_values) if p is not None]
    p = np.array([p_values[i] for i in idx], dtype=float)
    if p.size and (np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1))):
        raise ValueError("p-values must lie in [0, 1]")
    out: list[float | None] = [None] * len(p_values)
    if not p.size:
        return out
    order = np.argsort(p)
    m = p.size
    scaled = p[order] * m / np.arange(1, m + 1)
    q = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    for rank, j in enumerate(order):
        out[idx[j]] = float(q[rank])
    return out
