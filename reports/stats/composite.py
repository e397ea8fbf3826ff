"""Principle composites: per-respondent mean of answered (reversed) likert items."""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import numpy as np

__all__ = ["composite_grid", "composite_scores", "grid_resolution", "reverse_likert"]


def grid_resolution(m: int) -> int:
    """``L = lcm(1..m)``: every mean of 1..m integer answers is a multiple of 1/L."""
    if m < 1:
        raise ValueError(f"a principle needs at least one item, got {m}")
    return reduce(math.lcm, range(1, m + 1), 1)


def reverse_likert(x: Any, reverse: Any) -> np.ndarray:
    """Reverse the columns flagged in ``reverse`` (6 - x on a 1-5 scale); NaN stays NaN."""
    a = np.array(x, dtype=float)
    flags = np.asarray(reverse, dtype=bool)
    if a.ndim != 2 or flags.shape != (a.shape[1],):
        raise ValueError(f"need an (n, m) array and m flags; got {a.shape} and {flags.shape}")
    a[:, flags] = 6.0 - a[:, flags]
    return a


def composite_scores(x: Any) -> np.ndarray:
    """Composite per respondent: mean of the answered items (NaN when none answered).

    ``x`` is (n, m), already reversed, NaN for a skipped item.
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"need an (n, m) array, got shape {a.shape}")
    answered = (~np.isnan(a)).sum(axis=1)
    total = np.nansum(a, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(answered > 0, total / np.maximum(answered, 1), np.nan)


def composite_grid(x: Any) -> np.ndarray:
    """Composites as integers ``round(composite * L)`` (exact; -1 when none answered)."""
    a = np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"need an (n, m) array, got shape {a.shape}")
    lcm = grid_resolution(a.shape[1])
    answered = (~np.isnan(a)).sum(axis=1)
    total = np.nansum(a, axis=1).astype(np.int64)
    out = np.full(a.shape[0], -1, dtype=np.int64)
    ok = answered > 0
    out[ok] = total[ok] * (lcm // answered[ok])
    return out
