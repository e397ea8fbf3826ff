"""Key-driver figures: Spearman correlation from a joint histogram, relative weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._common import Z975, midranks, reason_fields, t_two_sided_p

__all__ = [
    "CorrelationResult",
    "RelativeWeightsResult",
    "correlation_from_moments",
    "relative_weights",
    "spearman_from_joint",
]


@dataclass(frozen=True)
class CorrelationResult:
    """Spearman rho with a Fisher-z (Bonett-Wright SE) 95% interval and t-test p-value."""

    n: int
    rho: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RelativeWeightsResult:
    """Johnson's raw relative weights (sum to R^2) and their percentages of R^2."""

    weights: tuple[float, ...] | None = None
    percent: tuple[float, ...] | None = None
    r_squared: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


def _validate_joint(x_values: Any, y_values: Any, joint: Any) -> np.ndarray:
    j = np.asarray(joint)
    shape = (np.size(x_values), np.size(y_values))
    if j.shape != shape:
        raise ValueError(f"joint counts must have shape {shape}, got {j.shape}")
    if np.any(j < 0) or np.any(j != np.round(j)):
        raise ValueError("joint counts must be non-negative whole numbers")
    return j.astype(float)


def spearman_from_joint(x_values: Any, y_values: Any, joint: Any) -> CorrelationResult:
    """Spearman's rho from a joint count table (rows x sorted ascending, columns y).

    Rho is Pearson's r of the midranks, computed from the marginal counts. The interval
    is ``tanh(atanh(rho) +- z * sqrt((1 + rho^2 / 2) / (n - 3)))``; the p-value uses
    ``t = rho sqrt((n-2)/(1-rho^2))`` on n - 2 df (as ``scipy.stats.spearmanr``).

    References
    ----------
    Spearman, C. (1904). Am. J. Psychol. 15, 72-101.
    Bonett, D. G. & Wright, T. A. (2000). Sample size requirements for estimating
    Pearson, Kendall and Spearman correlations. Psychometrika 65, 23-28.
    """
    j = _validate_joint(x_values, y_values, joint)
    if np.any(np.diff(np.asarray(x_values, float)) <= 0) or np.any(
            np.diff(np.asarray(y_values, float)) <= 0):
        raise ValueError("x_values and y_values must be strictly increasing")
    n = int(j.sum())
    if n < 4:
        return CorrelationResult(n, **reason_fields("empty" if n == 0 else "too_few"))
    mx, my = j.sum(axis=1), j.sum(axis=0)
    rx, ry = midranks(mx) - (n + 1) / 2, midranks(my) - (n + 1) / 2
    sxx, syy = float(mx @ rx**2), float(my @ ry**2)
    if sxx <= 0 or syy <= 0:
        return CorrelationResult(n, **reason_fields("no_variance"))
    rho = float(np.clip(rx @ j @ ry / np.sqrt(sxx * syy), -1.0, 1.0))
    if abs(rho) == 1.0:
        return CorrelationResult(n, rho, rho, rho, 0.0)
    half = Z975 * np.sqrt((1 + rho * rho / 2) / (n - 3))
    z = np.arctanh(rho)
    p = t_two_sided_p(rho * np.sqrt((n - 2) / (1 - rho * rho)), n - 2)
    return CorrelationResult(n, rho, float(np.tanh(z - half)), float(np.tanh(z + half)), p)


def correlation_from_moments(n: int, sums: Any, cross: Any) -> np.ndarray | None:
    """Pearson correlation matrix from n, column sums and the cross-product matrix.

    Returns None when n < 2 or any column has zero variance.
    """
    s, c = np.asarray(sums, dtype=float), np.asarray(cross, dtype=float)
    if s.ndim != 1 or c.shape != (s.size, s.size):
        raise ValueError(f"sums must be (p,) and cross (p, p); got {s.shape} and {c.shape}")
    if n < 2:
        return None
    cov = c - np.outer(s, s) / n
    d = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    if np.any(d <= 1e-12 * max(1.0, float(d.max()))):
        return None
    return np.clip(cov / np.outer(d, d), -1.0, 1.0)


def relative_weights(corr: Any) -> RelativeWeightsResult:
    """Johnson's (2000) relative weights; the last row/column of ``corr`` is the outcome.

    With predictor correlations ``Rxx = V diag(l) V'``, ``L = V diag(sqrt l) V'``,
    ``beta = L^{-1} rxy`` and raw weight ``eps_j = sum_k L_jk^2 beta_k^2``.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
    predictor variables in multiple regression. Multivariate Behav. Res. 35, 1-19.
    """
    r = np.asarray(corr, dtype=float)
    if r.ndim != 2 or r.shape[0] != r.shape[1] or r.shape[0] < 2:
        raise ValueError(f"corr must be a square matrix of size >= 2, got {r.shape}")
    rxx, rxy = r[:-1, :-1], r[:-1, -1]
    lam, vec = np.linalg.eigh(rxx)
    if lam.min() <= 1e-10:
        return RelativeWeightsResult(**reason_fields("no_variance"))
    root = vec @ np.diag(np.sqrt(lam)) @ vec.T
    beta = np.linalg.solve(root, rxy)
    eps = (root**2) @ (beta**2)
    r2 = float(eps.sum())
    pct = tuple(float(x) for x in 100 * eps / r2) if r2 > 0 else None
    return RelativeWeightsResult(tuple(float(x) for x in eps), pct, r2)
