"""Trends over waves: weighted least squares, Mann-Kendall, Theil-Sen, interventions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import special

from ._common import reason_fields, t_quantile, t_two_sided_p

__all__ = [
    "MIN_NONPARAMETRIC_WAVES",
    "TIE_DECIMALS",
    "InterventionResult",
    "MannKendallResult",
    "TrendResult",
    "intervention_effect",
    "mann_kendall",
    "theil_sen",
    "trend_wls",
]

MIN_NONPARAMETRIC_WAVES = 8
# Wave figures equal to this many decimals are the same figure: equal scores computed along
# different routes differ by round-off, and a round-off "slope" is not a trend.
TIE_DECIMALS = 9


@dataclass(frozen=True)
class TrendResult:
    """Slope per time unit with a 95% interval (``method`` names the estimator)."""

    method: str
    n_waves: int
    slope: float | None = None
    intercept: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    p_value: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class MannKendallResult:
    """Mann-Kendall S, its tie-corrected variance, continuity-corrected z, tau and p."""

    n_waves: int
    s: float | None = None
    var_s: float | None = None
    z: float | None = None
    tau: float | None = None
    p_value: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class InterventionResult:
    """Segmented regression: level change and slope change at the intervention."""

    n_before: int
    n_after: int
    level_change: float | None = None
    level_ci: tuple[float, float] | None = None
    level_p: float | None = None
    slope_change: float | None = None
    slope_ci: tuple[float, float] | None = None
    slope_p: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


def _series(t: Any, y: Any, w: Any = None) -> tuple[np.ndarray, ...]:
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    if t.ndim != 1 or t.shape != y.shape or w.shape != y.shape:
        raise ValueError(f"times, values and weights must be 1-D of equal length, got "
                         f"{t.shape}, {y.shape}, {w.shape}")
    check_finite_positive(t, y, w)
    return t, y, w


def check_finite_positive(t: np.ndarray, y: np.ndarray, w: np.ndarray) -> None:
    """Refuse non-finite times/values/weights and non-positive weights (shared by batches)."""
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y)) and np.all(np.isfinite(w))):
        raise ValueError("times, values and weights must be finite")
    if np.any(w <= 0):
        raise ValueError("weights must be positive")


def wls_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Weighted least squares: coefficients, covariance (residual-scaled) and residual df."""
    sw = np.sqrt(w)
    xw, yw = x * sw[:, None], y * sw
    beta, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    df = x.shape[0] - x.shape[1]
    scale = float(np.sum((yw - xw @ beta) ** 2)) / df
    cov = scale * np.linalg.pinv(xw.T @ xw)
    return beta, cov, df


def is_flat(y: np.ndarray) -> np.ndarray:
    """True where a series (last axis) is constant once round-off is set aside.

    A constant series has no trend; fitting one anyway leaves a round-off slope of ~1e-15
    with a round-off standard error, whose ratio is an arbitrary t and p.
    """
    return np.ptp(np.round(y, TIE_DECIMALS), axis=-1) == 0


def is_exact_fit(y: np.ndarray, fitted: np.ndarray, w: np.ndarray) -> np.ndarray:
    """True where the weighted residuals are round-off relative to the figures' size.

    Points exactly on a line leave a residual variance of ~1e-30, so the standard error is
    round-off and t = slope / se is meaningless (it gives p ~ 1e-31, or 0).
    """
    rms = np.sqrt((w * (y - fitted) ** 2).sum(axis=-1) / w.sum(axis=-1))
    size = np.maximum(1.0, np.abs(y).max(axis=-1))
    return rms <= 10.0 ** -TIE_DECIMALS * size


def trend_wls(times: Any, values: Any, weights: Any = None) -> TrendResult:
    """Linear trend of wave figures on time by weighted least squares (weights = n or 1/var).

    Standard errors use the residual scale and t with ``k - 2`` df (as statsmodels WLS).
    Time is centred at its weighted mean before fitting (the intercept reported is still at
    ``t = 0``), which keeps the fit well conditioned for calendar-sized times. A series that
    is constant (``flat_series``) or lies exactly on a line (``exact_fit``) has no honest
    standard error, so it gets a reason code instead of a p-value.

    References
    ----------
    Draper, N. R. & Smith, H. (1998). Applied Regression Analysis, 3rd ed., sec. 9.2.
    """
    t, y, w = _series(times, values, weights)
    if t.size < 3:
        return TrendResult("wls", t.size, **reason_fields("too_few_waves"))
    if np.ptp(t) == 0:
        return TrendResult("wls", t.size, **reason_fields("no_variance"))
    if is_flat(y):
        return TrendResult("wls", t.size, **reason_fields("flat_series"))
    centre = float(w @ t / w.sum())
    x = np.column_stack([np.ones_like(t), t - centre])
    beta, cov, df = wls_fit(x, y, w)
    if is_exact_fit(y, x @ beta, w):
        return TrendResult("wls", t.size, **reason_fields("exact_fit"))
    se = float(np.sqrt(cov[1, 1]))
    half = t_quantile(df) * se
    return TrendResult("wls", t.size, float(beta[1]), float(beta[0] - beta[1] * centre),
                       float(beta[1] - half), float(beta[1] + half), se,
                       t_two_sided_p(beta[1] / se, df))


@lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j of a series of length n (cached: reports reuse a few lengths)."""
    return np.triu_indices(n, k=1)


def _tie_term(a: np.ndarray) -> float:
    _, c = np.unique(a, return_counts=True)
    return float(np.sum(c * (c - 1) * (2 * c + 5)))


def mann_kendall(values: Any) -> MannKendallResult:
    """Mann-Kendall trend test (series in time order; needs >= 8 waves).

    ``S = sum_{i<j} sign(x_j - x_i)``, ``Var S = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18``,
    ``z = (S - sign S) / sqrt(Var S)``, two-sided normal p; ``tau = S / (n(n-1)/2)``.
    Values equal to 9 decimals count as ties.

    References
    ----------
    Mann, H. B. (1945). Econometrica 13, 245-259. Kendall, M. G. (1975). Rank Correlation
    Methods. Gilbert, R. O. (1987). Statistical Methods for Environmental Pollution
    Monitoring, sec. 16.4.
    """
    # Figures are rounded only to detect ties robustly against floating-point noise
    # (equal scores computed along different routes).
    x = np.round(_series(np.arange(np.size(values)), values)[1], TIE_DECIMALS)
    n = x.size
    if n < MIN_NONPARAMETRIC_WAVES:
        return MannKendallResult(n, **reason_fields("too_few_waves"))
    if is_flat(x):
        return MannKendallResult(n, **reason_fields("flat_series"))
    i, j = _pairs(n)
    s = float(np.sign(x[j] - x[i]).sum())
    var = (n * (n - 1) * (2 * n + 5) - _tie_term(x)) / 18.0
    if var <= 0:
        return MannKendallResult(n, **reason_fields("no_variance"))
    z = (s - np.sign(s)) / np.sqrt(var)
    p = float(2 * special.ndtr(-abs(z)))
    return MannKendallResult(n, s, var, float(z), s / (n * (n - 1) / 2), p)


def theil_sen(times: Any, values: Any) -> TrendResult:
    """Theil-Sen median slope with Sen's (1968) 95% interval (needs >= 8 waves).

    Intercept is ``median(y) - slope * median(t)``. A constant series gets the reason code
    ``flat_series``, as in :func:`trend_wls` and :func:`mann_kendall`.

    References
    ----------
    Theil, H. (1950). Indagationes Mathematicae 12. Sen, P. K. (1968). Estimates of the
    regression coefficient based on Kendall's tau. JASA 63, 1379-1389, eq. 2.6.
    """
    t, y, _ = _series(times, values)
    if t.size < MIN_NONPARAMETRIC_WAVES:
        return TrendResult("theil_sen", t.size, **reason_fields("too_few_waves"))
    i, j = _pairs(t.size)
    dt, dy = t[j] - t[i], y[j] - y[i]
    ok = dt != 0
    if not ok.any():
        return TrendResult("theil_sen", t.size, **reason_fields("no_variance"))
    if is_flat(y):
        return TrendResult("theil_sen", t.size, **reason_fields("flat_series"))
    slopes = np.sort(dy[ok] / dt[ok])
    med = float(np.median(slopes))
    n, nt = t.size, slopes.size
    sigma = np.sqrt((n * (n - 1) * (2 * n + 5) - _tie_term(t) - _tie_term(y)) / 18.0)
    z = float(special.ndtri(0.025))
    hi = min(int(np.round((nt - z * sigma) / 2.0)), nt - 1)
    lo = max(int(np.round((nt + z * sigma) / 2.0)) - 1, 0)
    return TrendResult("theil_sen", n, med, float(np.median(y) - med * np.median(t)),
                       float(slopes[lo]), float(slopes[hi]))


def intervention_effect(times: Any, values: Any, weights: Any, t0: float) -> InterventionResult:
    """Segmented (interrupted time series) regression of wave figures, weighted by ``n``.

    Model ``y = b0 + b1 t + b2 D + b3 (t - t0) D`` with ``D = [t >= t0]``; ``b2`` is the
    level change and ``b3`` the slope change, each with a t interval on ``k - 4`` df.
    Needs >= 3 waves on each side. Time is centred at ``t0`` (only ``b0`` changes meaning),
    and a constant series or an exact fit gets a reason code, as in :func:`trend_wls`.

    References
    ----------
    Wagner, A. K. et al. (2002). Segmented regression analysis of interrupted time series
    studies in medication use research. J Clin Pharm Ther 27, 299-309.
    """
    t, y, w = _series(times, values, weights)
    after = t >= t0
    nb, na = int((~after).sum()), int(after.sum())
    if nb < 3 or na < 3:
        return InterventionResult(nb, na, **reason_fields("too_few_waves_each_side"))
    if is_flat(y):
        return InterventionResult(nb, na, **reason_fields("flat_series"))
    d = after.astype(float)
    x = np.column_stack([np.ones_like(t), t - t0, d, (t - t0) * d])
    beta, cov, df = wls_fit(x, y, w)
    if is_exact_fit(y, x @ beta, w):
        return InterventionResult(nb, na, **reason_fields("exact_fit"))
    se = np.sqrt(np.diag(cov))
    q = t_quantile(df)
    level, slope = ((float(beta[k]), (float(beta[k] - q * se[k]), float(beta[k] + q * se[k])),
                     t_two_sided_p(beta[k] / se[k], df)) for k in (2, 3))
    return InterventionResult(nb, na, *level, *slope)
