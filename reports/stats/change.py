"""Change between two independent waves: scores, favourability, eNPS, and its label."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ._common import (
    Z975,
    as_histogram,
    hist_moments,
    reason_fields,
    t_quantile,
    t_two_sided_p,
)
from .descriptive import wilson_bounds

__all__ = [
    "CHANGE",
    "NO_CHANGE_DETECTABLE",
    "NO_MEANINGFUL_CHANGE",
    "ChangeVerdict",
    "Difference",
    "classify_change",
    "enps_change",
    "favourability_change",
    "score_change",
]

CHANGE = "change"
NO_MEANINGFUL_CHANGE = "no meaningful change"
NO_CHANGE_DETECTABLE = "no change detectable"


@dataclass(frozen=True)
class Difference:
    """Later minus earlier wave, with a 95% interval and a two-sided p-value."""

    method: str
    n1: int
    n2: int
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    df: float | None = None
    p_value: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ChangeVerdict:
    """What one comparison says after multiplicity adjustment: its ``verdict`` ("change",
    "no meaningful change" or "no change detectable") and the numbers behind it."""

    verdict: str
    estimate: float
    q_value: float
    threshold: float
    mdd: float | None = None


def score_change(values1: Any, counts1: Any, values2: Any, counts2: Any) -> Difference:
    """Difference of 0-100 scores (wave 2 - wave 1) with a Welch t interval and p-value.

    References
    ----------
    Welch, B. L. (1947). The generalization of Student's problem when several
    different population variances are involved. Biometrika 34, 28-35.
    """
    n1, m1, var1 = hist_moments(*as_histogram(values1, counts1))
    n2, m2, var2 = hist_moments(*as_histogram(values2, counts2))
    if min(n1, n2) < 2:
        return Difference("welch", n1, n2, **reason_fields("too_few"))
    a, b = var1 / n1, var2 / n2
    if a + b <= 0:
        return Difference("welch", n1, n2, **reason_fields("no_variance"))
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    se = float(np.sqrt(a + b))
    d = m2 - m1
    half = t_quantile(df) * se
    f = 25.0
    return Difference(
        "welch", n1, n2, f * d, f * (d - half), f * (d + half), f * se, df,
        t_two_sided_p(d / se, df),
    )


def _newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe (1998) hybrid score interval (method 10) for p2 - p1."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_bounds(k1, n1)
    l2, u2 = wilson_bounds(k2, n2)
    d = p2 - p1
    lo = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    hi = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return float(lo), float(hi)


def favourability_change(k1: int, n1: int, k2: int, n2: int) -> Difference:
    """Difference of favourable percentages (wave 2 - wave 1), Newcombe 95% interval.

    The p-value is the pooled two-proportion z test.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.
    """
    if min(k1, n1, k2, n2) < 0 or k1 > n1 or k2 > n2:
        raise ValueError("counts must satisfy 0 <= k <= n")
    if min(n1, n2) < 1:
        return Difference("newcombe_hybrid_score", n1, n2, **reason_fields("empty"))
    lo, hi = _newcombe(k1, n1, k2, n2)
    d = k2 / n2 - k1 / n1
    pool = (k1 + k2) / (n1 + n2)
    se0 = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    p = 1.0 if se0 == 0 else float(2 * special.ndtr(-abs(d) / se0))
    se = float(np.sqrt(k1 / n1 * (1 - k1 / n1) / n1 + k2 / n2 * (1 - k2 / n2) / n2))
    return Difference(
        "newcombe_hybrid_score", n1, n2, 100 * d, 100 * lo, 100 * hi, 100 * se, None, p
    )


def _enps_parts(values: Any, counts: Any) -> tuple[int, float, float]:
    v, c = as_histogram(values, counts)
    n = int(c.sum())
    if n == 0:
        return 0, 0.0, 0.0
    pro, det = c[v >= 9].sum() / n, c[v <= 6].sum() / n
    return n, float(pro - det), float(max(pro + det - (pro - det) ** 2, 0.0) / n)


def enps_change(values1: Any, counts1: Any, values2: Any, counts2: Any) -> Difference:
    """Change in eNPS points (wave 2 - wave 1) with a Wald interval and z test.

    Each wave's variance is the multinomial ``(p_pro + p_det - (p_pro - p_det)**2)/n``;
    independent waves add variances (Rocks 2016, The American Statistician 70, 365-372).
    """
    n1, d1, v1 = _enps_parts(values1, counts1)
    n2, d2, v2 = _enps_parts(values2, counts2)
    if min(n1, n2) < 2:
        return Difference("wald_multinomial", n1, n2, **reason_fields("too_few"))
    if v1 + v2 <= 0:
        return Difference("wald_multinomial", n1, n2, **reason_fields("no_variance"))
    se = float(np.sqrt(v1 + v2))
    d = d2 - d1
    p = t_two_sided_p(d / se, np.inf)
    return Difference(
        "wald_multinomial", n1, n2, 100 * d, 100 * (d - Z975 * se), 100 * (d + Z975 * se),
        100 * se, None, p,
    )


def classify_change(
    diff: Difference, q_value: float, threshold: float,
    mdd: float | None = None, alpha: float = 0.05,
) -> ChangeVerdict:
    """Label a comparison "change", "no meaningful change" or "no change detectable".

    "change": q < alpha and |estimate| >= threshold. "no meaningful change": q < alpha
    but below the practical threshold, or the 95% interval lies inside
    (-threshold, threshold). Otherwise "no change detectable", reported with the
    minimum detectable difference ``mdd``.
    """
    estimate, low, high = diff.estimate, diff.ci_low, diff.ci_high
    if not diff.computable or estimate is None or low is None or high is None:
        raise ValueError("cannot classify a non-computable difference")
    est = float(estimate)
    if q_value < alpha and abs(est) >= threshold:
        verdict = CHANGE
    elif q_value < alpha or (-threshold < low and high < threshold):
        verdict = NO_MEANINGFUL_CHANGE
    else:
        verdict = NO_CHANGE_DETECTABLE
    return ChangeVerdict(verdict, est, float(q_value), float(threshold), mdd)
