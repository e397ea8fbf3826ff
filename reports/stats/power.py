"""Minimum detectable differences (80% power, two-sided alpha = .05) for two waves."""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

__all__ = ["mdd_enps", "mdd_proportion", "mdd_score", "pooled_sd"]


def _check(n1: int, n2: int, alpha: float, power: float) -> None:
    if n1 < 2 or n2 < 2:
        raise ValueError(f"both group sizes must be >= 2, got {n1} and {n2}")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError("alpha and power must lie strictly between 0 and 1")


def _t_power(d: float, n1: int, n2: int, alpha: float) -> float:
    """Two-sided power of the two-sample t test at standardized effect ``d``."""
    df = n1 + n2 - 2
    nc = d / np.sqrt(1 / n1 + 1 / n2)
    crit = special.stdtrit(df, 1 - alpha / 2)
    # The far lower tail can underflow to NaN in the noncentral t CDF; it is ~0 there.
    lower = float(np.nan_to_num(special.nctdtr(df, nc, -crit), nan=0.0))
    return float(1 - special.nctdtr(df, nc, crit) + lower)


def _z_power(h: float, n1: int, n2: int, alpha: float) -> float:
    """Two-sided power of a z test at effect ``h`` (Cohen's h for proportions)."""
    crit = special.ndtri(1 - alpha / 2)
    s = h / np.sqrt(1 / n1 + 1 / n2)
    return float(special.ndtr(s - crit) + special.ndtr(-s - crit))


def _solve(fn, n1: int, n2: int, alpha: float, power: float) -> float:
    # The normal approximation d0 is a close lower bound for large n; 3 * d0 is an upper
    # bound that keeps the noncentrality moderate for tiny n.
    d0 = (special.ndtri(1 - alpha / 2) + special.ndtri(power)) * np.sqrt(1 / n1 + 1 / n2)
    f = lambda e: fn(e, n1, n2, alpha) - power  # noqa: E731
    lo = 0.999 * d0 if f(0.999 * d0) < 0 else 1e-9
    hi = 1.01 * d0 if f(1.01 * d0) > 0 else 3 * d0
    return float(optimize.brentq(f, lo, hi, xtol=1e-12))


def pooled_sd(n1: int, var1: float, n2: int, var2: float) -> float:
    """Pooled within-wave SD ``sqrt(((n1-1) var1 + (n2-1) var2) / (n1 + n2 - 2))``.

    The SD that standardizes the two-sample t test's effect (Cohen 1988, sec. 2.3); both
    waves count, so an earlier wave in which everyone gave the same answer does not make
    every difference look detectable.
    """
    _check(n1, n2, 0.05, 0.8)
    if var1 < 0 or var2 < 0:
        raise ValueError("variances must be non-negative")
    return float(np.sqrt(((n1 - 1) * var1 + (n2 - 1) * var2) / (n1 + n2 - 2)))


def mdd_score(n1: int, n2: int, sd: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest score difference a two-sided two-sample t test detects with ``power``.

    Solves the noncentral-t power equation (df = n1 + n2 - 2) for the standardized
    effect and multiplies by ``sd``: the pooled score-scale SD of both waves
    (:func:`pooled_sd`), the SD that effect is standardized by.

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed.,
    ch. 2. Same equation as statsmodels ``TTestIndPower``.
    """
    _check(n1, n2, alpha, power)
    if sd < 0:
        raise ValueError("sd must be non-negative")
    return _solve(_t_power, n1, n2, alpha, power) * sd


def mdd_proportion(n1: int, n2: int, p: float, alpha: float = 0.05,
                   power: float = 0.8) -> float | None:
    """Smallest detectable change (percentage points) from a baseline proportion ``p``.

    Solves the arcsine (Cohen's h) z-test power equation and maps h back to a
    proportion; the larger of the upward and downward changes that fit in [0, 1] is
    returned (conservative). None when neither direction fits.

    References
    ----------
    Cohen, J. (1988), ch. 6. Same equation as statsmodels ``NormalIndPower``.
    """
    _check(n1, n2, alpha, power)
    if not 0 <= p <= 1:
        raise ValueError("p must lie in [0, 1]")
    h = _solve(_z_power, n1, n2, alpha, power)
    phi = np.arcsin(np.sqrt(p))
    moves = [np.sin(phi + s * h / 2) ** 2 - p for s in (1, -1)
             if 0 <= phi + s * h / 2 <= np.pi / 2]
    return float(100 * max(abs(m) for m in moves)) if moves else None


def mdd_enps(n1: int, n2: int, p_pro: float, p_det: float,
             later: tuple[float, float] | None = None, alpha: float = 0.05,
             power: float = 0.8) -> float:
    """Smallest detectable eNPS change (points) under each wave's multinomial variance.

    Normal approximation: ``(z_{1-alpha/2} + z_power) * sqrt(v1 / n1 + v2 / n2)`` with
    ``v = p_pro + p_det - (p_pro - p_det)**2`` per wave (Rocks 2016), the same standard
    error as the Wald test of :func:`reports.stats.enps_change`. ``later`` is the later
    wave's ``(p_pro, p_det)``; without it the earlier wave's variance stands for both.
    """
    _check(n1, n2, alpha, power)
    v1 = _enps_variance(p_pro, p_det)
    v2 = v1 if later is None else _enps_variance(*later)
    z = special.ndtri(1 - alpha / 2) + special.ndtri(power)
    return float(100 * z * np.sqrt(v1 / n1 + v2 / n2))


def _enps_variance(p_pro: float, p_det: float) -> float:
    return max(p_pro + p_det - (p_pro - p_det) ** 2, 0.0)
