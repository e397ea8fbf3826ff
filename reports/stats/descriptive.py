"""One-wave figures from a count histogram: favourability, mean, 0-100 score, eNPS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._common import Z975, as_histogram, hist_moments, reason_fields, t_quantile

__all__ = ["LIKERT_SCALE", "Estimate", "enps", "favourability", "mean_interval", "score",
           "wilson_bounds", "wilson_interval"]

LIKERT_SCALE = (1.0, 5.0)


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


def wilson_bounds(count: int, n: int, z: float = Z975) -> tuple[float, float]:
    """Bounds of the Wilson (1927) score interval as fractions (n > 0; callers check)."""
    p = count / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_interval(count: int, n: int, z: float = Z975) -> Estimate:
    """Proportion ``count / n`` (a fraction) with its Wilson (1927) score interval.

    No answers is a degenerate input like any other, so ``n == 0`` gives the reason code
    ``empty`` rather than a division error; counts outside ``0 <= count <= n`` are invalid
    input and raise.

    References
    ----------
    Wilson, E. B. (1927). JASA 22, 209-212.

    Examples
    --------
    >>> wilson_interval(0, 0).reason_code
    'empty'
    """
    if n < 0 or not 0 <= count <= max(n, 0):
        raise ValueError(f"need 0 <= count <= n, got count={count}, n={n}")
    if n == 0:
        return Estimate("wilson", 0, **reason_fields("empty"))
    return Estimate("wilson", n, *_wilson(count, n, z))


def _wilson(count: int, n: int, z: float = Z975) -> tuple[float, float, float, float]:
    """Proportion, Wilson bounds and standard error of ``count / n`` (n > 0)."""
    lo, hi = wilson_bounds(count, n, z)
    p = count / n
    return p, lo, hi, float(np.sqrt(p * (1 - p) / n))


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
    p, lo, hi, se = _wilson(int(c[v >= threshold - 1e-12].sum()), n)
    return Estimate("wilson", n, 100.0 * p, 100.0 * lo, 100.0 * hi, 100.0 * se)


def mean_interval(values: Any, counts: Any, scale: tuple[float, float] = LIKERT_SCALE) -> Estimate:
    """Mean with a Student t 95% interval clipped to the answer scale.

    The mean of answers on a 1-5 scale lies in [1, 5], but a t interval of a few answers
    near an end of the scale reaches past it (answers 1, 1, 2 give a lower bound below 1).
    Each bound is clipped to ``scale``: this only removes impossible values, so the
    interval still covers the true mean whenever the unclipped one did. Zero width when
    all answers are equal.

    Parameters
    ----------
    values, counts : array_like
        Histogram of (already reversed) answers; every value must lie on ``scale``.
    scale : (float, float)
        Lowest and highest possible answer (1-5 for items and principle composites).

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika 6, 1-25.
    """
    parts = _t_mean(values, counts, scale)
    if isinstance(parts, Estimate):
        return parts
    return Estimate("t", *parts)


def _t_mean(values: Any, counts: Any, scale: tuple[float, float]
            ) -> tuple[int, float, float, float, float, float] | Estimate:
    """n, mean, clipped t bounds, se and sd; or the not-computable Estimate saying why."""
    v, c = as_histogram(values, counts)
    check_on_scale(v, scale)
    n, mean, var = hist_moments(v, c)
    if n < 2:
        return Estimate("t", n, **reason_fields("empty" if n == 0 else "too_few"))
    sd = float(np.sqrt(var))
    se = float(sd / np.sqrt(n))
    half = t_quantile(n - 1) * se
    return n, mean, max(scale[0], mean - half), min(scale[1], mean + half), se, sd


def check_on_scale(values: np.ndarray, scale: tuple[float, float]) -> None:
    """Refuse a histogram with values off the scale its interval is clipped to."""
    if values.size and (values.min() < scale[0] or values.max() > scale[1]):
        raise ValueError(f"values must lie on the scale {scale}, got "
                         f"{values.min()}..{values.max()}")


def score(values: Any, counts: Any) -> Estimate:
    """0-100 score ``(mean - 1) / 4 * 100`` of a 1-5 scale with its t 95% interval.

    The score is a linear map of the mean, so its interval is the mapped t interval
    (Student 1908), which :func:`mean_interval` has already clipped to [1, 5], i.e. [0, 100].
    """
    parts = _t_mean(values, counts, LIKERT_SCALE)
    if isinstance(parts, Estimate):
        return Estimate("t", parts.n, **reason_fields(parts.reason_code))
    n, mean, low, high, se, sd = parts
    f = 25.0
    return Estimate("t", n, (mean - 1) * f, (low - 1) * f, (high - 1) * f, se * f, sd * f)


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
