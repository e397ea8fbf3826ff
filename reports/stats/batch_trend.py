"""Batched trends: WLS, Theil-Sen and Mann-Kendall for many series sharing the same times.

Vectorised twins of :func:`reports.stats.trend_wls`, :func:`~reports.stats.theil_sen` and
:func:`~reports.stats.mann_kendall`; rows are series (groups x measures), columns waves.
``tests/test_reports_stats_batch.py`` pins them to the scalar functions to 1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from .batch import _codes, _nan_where, _Rows, _t_quantile, _t_two_sided_p
from .trend import (
    MIN_NONPARAMETRIC_WAVES,
    TIE_DECIMALS,
    MannKendallResult,
    TrendResult,
    _pairs,
    check_finite_positive,
    is_exact_fit,
    is_flat,
)

__all__ = ["BatchMannKendall", "BatchTrend", "mann_kendall_batch", "theil_sen_batch",
           "trend_wls_batch"]


@dataclass(frozen=True)
class BatchTrend(_Rows):
    """Many :class:`TrendResult` at once (NaN where not computable)."""

    _scalar = TrendResult
    _ids = ("method", "n_waves")
    method: str
    n_waves: int
    slope: np.ndarray
    intercept: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    se: np.ndarray
    p_value: np.ndarray
    reason_code: np.ndarray


@dataclass(frozen=True)
class BatchMannKendall(_Rows):
    """Many :class:`MannKendallResult` at once."""

    _scalar = MannKendallResult
    _ids = ("n_waves",)
    n_waves: int
    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    tau: np.ndarray
    p_value: np.ndarray
    reason_code: np.ndarray


def _series(times: Any, values: Any, weights: Any = None) -> tuple[np.ndarray, ...]:
    t, y = np.asarray(times, dtype=float), np.asarray(values, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    if t.ndim != 1 or y.ndim != 2 or y.shape[1] != t.size or w.shape != y.shape:
        raise ValueError(f"need times (T,), values and weights (series, T); got {t.shape}, "
                         f"{y.shape} and {w.shape}")
    check_finite_positive(t, y, w)
    return t, y, w


def _tie_terms(x: np.ndarray) -> np.ndarray:
    """Row-wise ``sum t(t-1)(2t+5)`` over tie groups: each member of a group of t adds
    ``(t-1)(2t+5)``."""
    c = (x[..., :, None] == x[..., None, :]).sum(axis=-1)
    return ((c - 1) * (2 * c + 5)).sum(axis=-1).astype(float)


def _none(method: str, rows: int, size: int, code: str) -> BatchTrend:
    nan = np.full(rows, np.nan)
    return BatchTrend(method, size, nan, nan, nan, nan, nan, nan, np.full(rows, code, object))


def trend_wls_batch(times: Any, values: Any, weights: Any = None) -> BatchTrend:
    """:func:`reports.stats.trend_wls` for every row: WLS slope, t interval on k - 2 df.

    Closed form of the two-parameter weighted fit around the weighted mean time
    (numerically the same as the least-squares solve of the scalar function).

    References
    ----------
    Draper, N. R. & Smith, H. (1998). Applied Regression Analysis, 3rd ed., sec. 9.2.
    """
    t, y, w = _series(times, values, weights)
    rows = y.shape[0]
    if t.size < 3:
        return _none("wls", rows, t.size, "too_few_waves")
    if np.ptp(t) == 0:
        return _none("wls", rows, t.size, "no_variance")
    sw = w.sum(axis=1)
    tm, ym = (w * t).sum(axis=1) / sw, (w * y).sum(axis=1) / sw
    dt = t - tm[:, None]
    stt = (w * dt * dt).sum(axis=1)
    slope = (w * dt * (y - ym[:, None])).sum(axis=1) / stt
    intercept = ym - slope * tm
    df = float(t.size - 2)
    fitted = ym[:, None] + slope[:, None] * dt
    scale = (w * (y - fitted) ** 2).sum(axis=1) / df
    code = _codes(rows, (is_flat(y), "flat_series"), (is_exact_fit(y, fitted, w), "exact_fit"))
    se = np.sqrt(scale / stt)
    half = _t_quantile(np.array(df)) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        p = _t_two_sided_p(slope / se, np.array(df))
    cols = _nan_where(code != "", slope, intercept, slope - half, slope + half, se, p)
    return BatchTrend("wls", t.size, *cols, code)


def theil_sen_batch(times: Any, values: Any) -> BatchTrend:
    """:func:`reports.stats.theil_sen` for every row (median pairwise slope, Sen's interval).

    References
    ----------
    Theil, H. (1950). Indagationes Mathematicae 12. Sen, P. K. (1968). JASA 63, 1379-1389.
    """
    t, y, _ = _series(times, values)
    rows, n = y.shape[0], t.size
    if n < MIN_NONPARAMETRIC_WAVES:
        return _none("theil_sen", rows, n, "too_few_waves")
    i, j = _pairs(n)
    ok = t[j] != t[i]
    if not ok.any():
        return _none("theil_sen", rows, n, "no_variance")
    slopes = np.sort((y[:, j[ok]] - y[:, i[ok]]) / (t[j[ok]] - t[i[ok]]), axis=1)
    med = np.median(slopes, axis=1)
    nt = slopes.shape[1]
    sigma = np.sqrt((n * (n - 1) * (2 * n + 5) - _tie_terms(t) - _tie_terms(y)) / 18.0)
    z = float(special.ndtri(0.025))
    hi = np.minimum(np.round((nt - z * sigma) / 2.0).astype(int), nt - 1)
    lo = np.maximum(np.round((nt + z * sigma) / 2.0).astype(int) - 1, 0)
    pick = np.arange(rows)
    nan = np.full(rows, np.nan)
    code = _codes(rows, (is_flat(y), "flat_series"))
    cols = _nan_where(code != "", med, np.median(y, axis=1) - med * np.median(t),
                      slopes[pick, lo], slopes[pick, hi])
    return BatchTrend("theil_sen", n, *cols, nan, nan, code)


def mann_kendall_batch(values: Any) -> BatchMannKendall:
    """:func:`reports.stats.mann_kendall` for every row (ties: equal to 9 decimals).

    References
    ----------
    Mann, H. B. (1945). Econometrica 13, 245-259. Gilbert, R. O. (1987), sec. 16.4.
    """
    y = np.asarray(values, dtype=float)
    _series(np.arange(y.shape[-1] if y.ndim == 2 else 0), y)
    # Rounded only to detect ties robustly, as the scalar function does.
    x = np.round(y, TIE_DECIMALS)
    rows, n = x.shape
    if n < MIN_NONPARAMETRIC_WAVES:
        nan = np.full(rows, np.nan)
        return BatchMannKendall(n, nan, nan, nan, nan, nan, np.full(rows, "too_few_waves", object))
    i, j = _pairs(n)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - _tie_terms(x)) / 18.0
    code = _codes(rows, (is_flat(x), "flat_series"), (var <= 0, "no_variance"))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s - np.sign(s)) / np.sqrt(var)
    p = 2 * special.ndtr(-np.abs(z))
    cols = _nan_where(code != "", s, var, z, s / (n * (n - 1) / 2), p)
    return BatchMannKendall(n, *cols, code)
