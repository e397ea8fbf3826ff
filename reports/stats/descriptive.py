"""One-wave figures from a count histogram: favourability, mean, 0-100 score, eNPS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._common import Z975, as_histogram, hist_moments, reason_fields, t_quantile

__all__ = ["Estimate", "enps", "favourability", "mean_interval", "score", "wilson_interval"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a 95% interval; numeric fields are None when not computable."""

    method: str
    n: int
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    sd: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


def wilson_interval(count: int, n: int, z: float = Z975) -> tuple[float, float]:
    """Wilson (1927) score interval for a binomial proportion (fractions, n > 0)."""
    p = count / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def favourability(values: Any, counts: Any, threshold: float = 4.0) -> Estimate:
    """Percentage of answers at or above ``threshold`` with a Wilson 95% interval.

    Parameters
    ----------
    values, counts : array_like
        Histogram of (already reversed) answers.
    threshold : float
        Lowest favourable value (4 on a 1-5 scale; composites use the same rule).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22, 209-212.
    """
    v, c = as_histogram(values, counts)
    n = int(c.sum())
    if n == 0:
        return Estimate("wilson", 0, **reason_fields("empty"))
    k = int(c[v >= threshold - 1e-12].sum())
    lo, hi = wilson_interval(k, n)
    se = float(np.sqrt(k / n * (1 - k / n) / n))
    return Estimate("wilson", n, 100.0 * k / n, 100.0 * lo, 100.0 * hi, 100.0 * se)


def mean_interval(values: Any, counts: Any) -> Estimate:
    """Mean with a Student t 95% interval (zero width when all answers are equal).

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika 6, 1-25.
    """
    v, c = as_histogram(values, counts)
    n, mean, var = hist_moments(v, c)
    if n < 2:
        return Estimate("t", n, **reason_fields("empty" if n == 0 else "too_few"))
    sd = float(np.sqrt(var))
    se = sd / np.sqrt(n)
    half = t_quantile(n - 1) * se
    return Estimate("t", n, mean, mean - half, mean + half, se, sd)


def score(values: Any, counts: Any) -> Estimate:
    """0-100 score ``(mean - 1) / 4 * 100`` of a 1-5 scale with its t 95% interval.

    The score is a linear map of the mean, so its interval is the mapped t interval
    (Student 1908), clipped to the scale's range [0, 100].
    """
    m = mean_interval(values, counts)
    if not m.computable:
        return Estimate("t", m.n, **reason_fields(m.reason_code))
    f = 25.0
    return Estimate(
        "t", m.n, (m.estimate - 1) * f, max(0.0, (m.ci_low - 1) * f),
        min(100.0, (m.ci_high - 1) * f),
        m.se * f, m.sd * f,
    )


def enps(values: Any, counts: Any) -> Estimate:
    """Employee Net Promoter Score (% 9-10 minus % 0-6) with a 95% Wald interval.

    The variance of the difference of two multinomial cell proportions is
    ``(p_pro + p_det - (p_pro - p_det)**2) / n``; the interval is clipped to [-100, 100].

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. HBR 81(12).
    Rocks, B. (2016). Interval estimation for the "net promoter score".
    The American Statistician 70(4), 365-372.
    """
    v, c = as_histogram(values, counts)
    n = int(c.sum())
    if n == 0:
        return Estimate("wald_multinomial", 0, **reason_fields("empty"))
    pro = c[v >= 9].sum() / n
    det = c[v <= 6].sum() / n
    d = pro - det
    se = float(np.sqrt(max(pro + det - d * d, 0.0) / n))
    lo, hi = max(-1.0, d - Z975 * se), min(1.0, d + Z975 * se)
    return Estimate("wald_multinomial", n, 100.0 * d, 100.0 * lo, 100.0 * hi, 100.0 * se)
