"""Internal consistency of a principle's items: Cronbach's alpha with Feldt's interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ._common import reason_fields

__all__ = ["AlphaResult", "cronbach_alpha", "cronbach_alpha_from_moments"]


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha over ``n`` complete cases of ``k`` items with a Feldt 95% CI."""

    n: int
    k: int
    alpha: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


def _covariance(n: int, sums: np.ndarray, cross: np.ndarray) -> np.ndarray:
    return (cross - np.outer(sums, sums) / n) / (n - 1)


def cronbach_alpha_from_moments(n: int, sums: Any, cross: Any) -> AlphaResult:
    """Cronbach's alpha from complete-case n, item sums and the cross-product matrix.

    ``alpha = k/(k-1) * (1 - tr(S) / 1'S1)`` with S the item covariance matrix
    ``(X'X - s s'/n) / (n - 1)``. Feldt interval:
    ``1 - (1 - alpha) * F_{1-a/2}(n-1, (n-1)(k-1))`` to ``1 - (1 - alpha) * F_{a/2}``.

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika 16, 297-334.
    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement 11, 93-103.
    """
    s = np.asarray(sums, dtype=float)
    c = np.asarray(cross, dtype=float)
    if s.ndim != 1 or c.shape != (s.size, s.size):
        raise ValueError(f"sums must be (k,) and cross (k, k); got {s.shape} and {c.shape}")
    if n < 0:
        raise ValueError("n must be non-negative")
    k = s.size
    if k < 2:
        return AlphaResult(n, k, **reason_fields("too_few_items"))
    if n < 2:
        return AlphaResult(n, k, **reason_fields("empty" if n == 0 else "too_few"))
    cov = _covariance(n, s, c)
    total = float(cov.sum())
    if total <= 1e-12 * max(1.0, float(np.trace(cov))) or np.trace(cov) <= 0:
        return AlphaResult(n, k, **reason_fields("no_variance"))
    alpha = min(1.0, k / (k - 1) * (1 - float(np.trace(cov)) / total))
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * special.fdtri(df1, df2, 0.975)
    hi = 1 - (1 - alpha) * special.fdtri(df1, df2, 0.025)
    return AlphaResult(n, k, alpha, float(lo), float(min(hi, 1.0)))


def cronbach_alpha(data: Any) -> AlphaResult:
    """Cronbach's alpha of an (n, k) array using listwise complete cases (NaN = skipped)."""
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"data must be 2-D (respondents x items), got shape {x.shape}")
    x = x[~np.isnan(x).any(axis=1)]
    return cronbach_alpha_from_moments(x.shape[0], x.sum(axis=0), x.T @ x)
