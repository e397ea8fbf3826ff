"""Shared validation, reason codes and small numeric helpers for ``reports.stats``."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

Z975 = float(special.ndtri(0.975))

REASONS: dict[str, str] = {
    "empty": "No responses.",
    "too_few": "Too few responses to compute this figure.",
    "no_variance": "All responses are identical, so the figure is undefined.",
    "too_few_for_test": "Fewer than 10 responses in a group; no test is run.",
    "too_few_items": "A scale needs at least two items.",
    "too_few_waves": "Too few waves for this trend method.",
    "too_few_waves_each_side": "Fewer than 3 waves before or after the intervention.",
    "flat_series": "Every wave has the same figure, so there is no trend to estimate or test.",
    "exact_fit": "The wave figures lie exactly on the fitted line, so the slope has no "
                 "standard error or p-value.",
    "too_few_groups": "Too few groups to estimate the between-group variance.",
    "missing_item": "The item or principle is not present in this data.",
    "no_p_value": "No p-value is available for this comparison.",
}


def reason_fields(code: str) -> dict[str, Any]:
    """Return the ``computable``/``reason``/``reason_code`` fields for a degenerate result."""
    return {"computable": False, "reason_code": code, "reason": REASONS[code]}


def as_histogram(values: Any, counts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a (values, counts) histogram and return float values and int counts."""
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts)
    if v.ndim != 1 or c.ndim != 1:
        raise ValueError(f"values and counts must be 1-D, got shapes {v.shape} and {c.shape}")
    if v.shape != c.shape:
        raise ValueError(f"values and counts differ in length: {v.size} != {c.size}")
    if v.size and not np.isfinite(v.sum()):
        raise ValueError("values must be finite")
    if c.dtype.kind not in "iu" and (not np.isfinite(c.sum()) or np.any(c != np.round(c))):
        raise ValueError("counts must be finite whole numbers")
    if c.size and c.min() < 0:
        raise ValueError("counts must be finite and non-negative")
    return v, c.astype(np.int64)


def hist_moments(values: np.ndarray, counts: np.ndarray) -> tuple[int, float, float]:
    """Return n, mean and unbiased variance (0.0 when n < 2) of a histogram."""
    n = int(counts.sum())
    if n == 0:
        return 0, 0.0, 0.0
    mean = float(counts @ values) / n
    if n < 2:
        return n, mean, 0.0
    var = float(counts @ (values - mean) ** 2) / (n - 1)
    return n, mean, var


def common_grid(
    v1: np.ndarray, c1: np.ndarray, v2: np.ndarray, c2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Put two histograms on their sorted union of values (counts summed per value)."""
    grid, inv = np.unique(np.concatenate([v1, v2]), return_inverse=True)
    a = np.bincount(inv[: v1.size], weights=c1, minlength=grid.size)
    b = np.bincount(inv[v1.size :], weights=c2, minlength=grid.size)
    return grid, a, b


def midranks(counts: np.ndarray) -> np.ndarray:
    """Midrank of each histogram cell (1-based ranks, ties share their average rank)."""
    before = np.cumsum(counts) - counts
    return before + (counts + 1) / 2.0


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of a t statistic (normal when ``df`` is infinite)."""
    if np.isinf(df):
        return float(2.0 * special.ndtr(-abs(t)))
    return float(2.0 * special.stdtr(df, -abs(t)))


def t_quantile(df: float, q: float = 0.975) -> float:
    """Quantile of Student's t (normal when ``df`` is infinite)."""
    return float(special.ndtri(q)) if np.isinf(df) else float(special.stdtrit(df, q))
