"""Batched one-wave and two-wave figures: many groups' histograms on one support at once.

Each function here is the vectorised twin of a scalar function in ``reports.stats`` and
returns the same numbers (to floating-point rounding; ``tests/test_reports_stats_batch.py``
pins them to 1e-12 on random input). Rows are groups; every histogram of a call shares
the same sorted ``values``. A report computes hundreds of figures from a few supports, so
paying numpy's per-call overhead once per support instead of once per group is what makes
a large organisation's report fast. Results are frozen and their arrays read-only;
``row(i)`` returns the scalar function's result for group ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np
from scipy import special

from ._common import Z975, reason_fields
from .change import Difference
from .descriptive import LIKERT_SCALE, Estimate, check_on_scale
from .drivers import CorrelationResult
from .ranks import RankTestResult, _bm_statistic, brunner_munzel, midranks_rows
from .reliability import AlphaResult
from .smallgroups import MIN_ASYMPTOTIC_N, MIN_TEST_N

__all__ = [
    "BatchAlpha", "BatchComparison", "BatchCorrelation", "BatchDifference", "BatchEstimate",
    "BatchRankTest", "as_histograms", "brunner_munzel_batch", "cliffs_delta_batch",
    "compare_batch", "cronbach_alpha_batch", "enps_batch", "enps_change_batch",
    "favourability_batch", "mean_interval_batch", "score_batch", "score_change_batch",
    "spearman_batch",
]


class _Rows:
    """Shared behaviour: read-only arrays, a ``computable`` mask and ``row(i)``."""

    _scalar: ClassVar[type]
    _ids: ClassVar[tuple[str, ...]]  # fields the scalar result keeps when not computable

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def computable(self) -> np.ndarray:
        """True where the figure exists (``reason_code == ''``)."""
        return self.reason_code == ""  # type: ignore[attr-defined]

    def row(self, i: int) -> Any:
        """The scalar function's result for group ``i``."""
        code = str(self.reason_code[i])  # type: ignore[attr-defined]
        values = {f.name: getattr(self, f.name) for f in fields(self)  # type: ignore[arg-type]
                  if f.name != "reason_code"}
        out = {name: _python(v[i]) if isinstance(v, np.ndarray) else v
               for name, v in values.items()}
        if code:
            return self._scalar(**{k: out[k] for k in self._ids}, **reason_fields(code))
        return self._scalar(**out)


def _python(x: Any) -> Any:
    """numpy scalar -> int/float; NaN -> None (the scalar results' 'no figure')."""
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return None if np.isnan(x) else float(x)
    return x


@dataclass(frozen=True)
class BatchEstimate(_Rows):
    """Many :class:`Estimate` at once; numeric arrays are NaN where not computable."""

    _scalar = Estimate
    _ids = ("method", "n")
    method: str
    n: np.ndarray
    estimate: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    se: np.ndarray
    sd: np.ndarray
    reason_code: np.ndarray


@dataclass(frozen=True)
class BatchDifference(_Rows):
    """Many :class:`Difference` at once (later minus earlier wave, row by row)."""

    _scalar = Difference
    _ids = ("method", "n1", "n2")
    method: str
    n1: np.ndarray
    n2: np.ndarray
    estimate: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    se: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    reason_code: np.ndarray


@dataclass(frozen=True)
class BatchRankTest(_Rows):
    """Many asymptotic :class:`RankTestResult` at once."""

    _scalar = RankTestResult
    _ids = ("method", "n1", "n2")
    method: str
    n1: np.ndarray
    n2: np.ndarray
    statistic: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    p_hat: np.ndarray
    reason_code: np.ndarray


@dataclass(frozen=True)
class BatchAlpha(_Rows):
    """Many :class:`AlphaResult` at once."""

    _scalar = AlphaResult
    _ids = ("n", "k")
    n: np.ndarray
    k: int
    alpha: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    reason_code: np.ndarray


@dataclass(frozen=True)
class BatchCorrelation(_Rows):
    """Many :class:`CorrelationResult` at once."""

    _scalar = CorrelationResult
    _ids = ("n",)
    n: np.ndarray
    rho: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    reason_code: np.ndarray


def as_histograms(values: Any, counts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a shared support (K,) and a (groups, K) count matrix; float values, int counts."""
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts)
    if v.ndim != 1 or c.ndim != 2 or c.shape[1] != v.size:
        raise ValueError(f"need values (K,) and counts (groups, K); got {v.shape} and {c.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("values must be finite")
    if c.dtype.kind not in "iu" and (not np.all(np.isfinite(c)) or np.any(c != np.round(c))):
        raise ValueError("counts must be finite whole numbers")
    if c.size and c.min() < 0:
        raise ValueError("counts must be non-negative")
    return v, c.astype(np.int64)


def _pair(values: Any, counts1: Any, counts2: Any) -> tuple[np.ndarray, ...]:
    v, c1 = as_histograms(values, counts1)
    _, c2 = as_histograms(v, counts2)
    if c1.shape != c2.shape:
        raise ValueError(f"earlier and later counts differ in shape: {c1.shape} != {c2.shape}")
    return v, c1, c2


def _codes(size: int, *rules: tuple[np.ndarray, str]) -> np.ndarray:
    """Reason code per row: the first rule whose mask is true, else ''."""
    out = np.full(size, "", dtype=object)
    for mask, code in reversed(rules):
        out[mask] = code
    return out


def _nan_where(mask: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    return [np.where(mask, np.nan, np.asarray(a, dtype=float)) for a in arrays]


def _moments(v: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n, mean and unbiased variance per row (as ``hist_moments``; 0 where undefined)."""
    n = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, (c @ v) / n, 0.0)
        var = np.where(n > 1, (c * (v - mean[:, None]) ** 2).sum(axis=1) / (n - 1), 0.0)
    return n, mean, var


def _t_quantile(df: np.ndarray) -> np.ndarray:
    return np.where(np.isinf(df), special.ndtri(0.975), special.stdtrit(df, 0.975))


def _t_two_sided_p(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    return np.where(np.isinf(df), 2.0 * special.ndtr(-np.abs(t)),
                    2.0 * special.stdtr(df, -np.abs(t)))


def mean_interval_batch(values: Any, counts: Any,
                        scale: tuple[float, float] = LIKERT_SCALE) -> BatchEstimate:
    """:func:`reports.stats.mean_interval` (Student 1908 t interval, clipped to ``scale``)
    for every row."""
    v, c = as_histograms(values, counts)
    check_on_scale(v, scale)
    n, mean, var = _moments(v, c)
    code = _codes(n.size, (n == 0, "empty"), (n < 2, "too_few"))
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(var)
        se = sd / np.sqrt(n)
        half = _t_quantile(np.maximum(n - 1, 1).astype(float)) * se
    bad = code != ""
    lo, hi = np.maximum(scale[0], mean - half), np.minimum(scale[1], mean + half)
    return BatchEstimate("t", n, *_nan_where(bad, mean, lo, hi, se, sd), code)


def score_batch(values: Any, counts: Any) -> BatchEstimate:
    """:func:`reports.stats.score` for every row: ``25 (mean - 1)``, interval within 0-100.

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika 6, 1-25.
    """
    m = mean_interval_batch(values, counts)
    f = 25.0
    return BatchEstimate("t", m.n, (m.estimate - 1) * f, (m.ci_low - 1) * f,
                         (m.ci_high - 1) * f, m.se * f, m.sd * f, m.reason_code)


def _wilson(k: np.ndarray, n: np.ndarray, z: float = Z975) -> tuple[np.ndarray, np.ndarray]:
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def favourability_batch(values: Any, counts: Any, threshold: float = 4.0) -> BatchEstimate:
    """:func:`reports.stats.favourability` (Wilson 1927 interval) for every row."""
    v, c = as_histograms(values, counts)
    n = c.sum(axis=1)
    k = c[:, v >= threshold - 1e-12].sum(axis=1)
    code = _codes(n.size, (n == 0, "empty"))
    with np.errstate(divide="ignore", invalid="ignore"):
        lo, hi = _wilson(k, n)
        p = k / n
        se = np.sqrt(p * (1 - p) / n)
    bad = code != ""
    est, lo, hi, se, sd = _nan_where(bad, 100.0 * p, 100.0 * lo, 100.0 * hi, 100.0 * se,
                                     np.full(n.size, np.nan))
    return BatchEstimate("wilson", n, est, lo, hi, se, sd, code)


def _enps_parts(v: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, ...]:
    """n, pro - det and the multinomial variance of one answer (0 where n == 0)."""
    n = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pro = np.where(n > 0, c[:, v >= 9].sum(axis=1) / n, 0.0)
        det = np.where(n > 0, c[:, v <= 6].sum(axis=1) / n, 0.0)
    d = pro - det
    return n, d, np.maximum(pro + det - d * d, 0.0)


def enps_batch(values: Any, counts: Any) -> BatchEstimate:
    """:func:`reports.stats.enps` (Wald multinomial interval, Rocks 2016) for every row."""
    v, c = as_histograms(values, counts)
    n, d, var1 = _enps_parts(v, c)
    code = _codes(n.size, (n == 0, "empty"))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(var1 / n)
    lo, hi = np.maximum(-1.0, d - Z975 * se), np.minimum(1.0, d + Z975 * se)
    bad = code != ""
    est, lo, hi, se, sd = _nan_where(bad, 100.0 * d, 100.0 * lo, 100.0 * hi, 100.0 * se,
                                     np.full(n.size, np.nan))
    return BatchEstimate("wald_multinomial", n, est, lo, hi, se, sd, code)


def score_change_batch(values: Any, counts1: Any, counts2: Any) -> BatchDifference:
    """:func:`reports.stats.score_change` (Welch 1947) for every pair of rows.

    References
    ----------
    Welch, B. L. (1947). Biometrika 34, 28-35.
    """
    v, c1, c2 = _pair(values, counts1, counts2)
    n1, m1, var1 = _moments(v, c1)
    n2, m2, var2 = _moments(v, c2)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = var1 / n1, var2 / n2
        code = _codes(n1.size, (np.minimum(n1, n2) < 2, "too_few"), (a + b <= 0, "no_variance"))
        df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        se = np.sqrt(a + b)
        d = m2 - m1
        half = _t_quantile(df) * se
        p = _t_two_sided_p(d / se, df)
    f = 25.0
    cols = _nan_where(code != "", f * d, f * (d - half), f * (d + half), f * se, df, p)
    return BatchDifference("welch", n1, n2, *cols, code)


def enps_change_batch(values: Any, counts1: Any, counts2: Any) -> BatchDifference:
    """:func:`reports.stats.enps_change` (Wald z, Rocks 2016) for every pair of rows."""
    v, c1, c2 = _pair(values, counts1, counts2)
    n1, d1, w1 = _enps_parts(v, c1)
    n2, d2, w2 = _enps_parts(v, c2)
    with np.errstate(divide="ignore", invalid="ignore"):
        var1, var2 = w1 / n1, w2 / n2
        code = _codes(n1.size, (np.minimum(n1, n2) < 2, "too_few"),
                      (var1 + var2 <= 0, "no_variance"))
        se = np.sqrt(var1 + var2)
        d = d2 - d1
        p = 2.0 * special.ndtr(-np.abs(d / se))
    cols = _nan_where(code != "", 100 * d, 100 * (d - Z975 * se), 100 * (d + Z975 * se),
                      100 * se, np.full(n1.size, np.nan), p)
    return BatchDifference("wald_multinomial", n1, n2, *cols, code)


def brunner_munzel_batch(values: Any, counts1: Any, counts2: Any) -> BatchRankTest:
    """Asymptotic Brunner-Munzel test for every pair of rows sharing one support.

    Equals ``brunner_munzel(..., method='asymptotic')`` row by row: midranks of the pooled
    histogram, Satterthwaite df, two-sided t p-value. The small-sample permutation route
    stays scalar (:func:`reports.stats.brunner_munzel`).

    References
    ----------
    Brunner, E. & Munzel, U. (2000). Biometrical Journal 42, 17-25.
    """
    _, a, b = _pair(values, counts1, counts2)
    n1, n2 = a.sum(axis=1), b.sum(axis=1)
    small = np.minimum(n1, n2) < 2
    a1, b1 = a.astype(float), b.astype(float)
    a1[small], b1[small] = 1.0, 1.0  # placeholders; those rows are reported as too_few
    r_pool = midranks_rows(a1 + b1)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat, df, var = _bm_statistic(a1, b1, r_pool)
        p = _t_two_sided_p(stat, df)
        p_hat = ((b1 * r_pool).sum(axis=1) / n2 - (n2 + 1) / 2.0) / n1
    code = _codes(n1.size, (small, "too_few"), (var <= 0, "no_variance"))
    cols = _nan_where(code != "", stat, df, p, p_hat)
    return BatchRankTest("brunner_munzel", n1, n2, *cols, code)


def cliffs_delta_batch(values: Any, counts1: Any, counts2: Any) -> np.ndarray:
    """:func:`reports.stats.cliffs_delta` for every pair of rows (NaN where a row is empty)."""
    _, a, b = _pair(values, counts1, counts2)
    n1, n2 = a.sum(axis=1), b.sum(axis=1)
    cum = np.cumsum(a, axis=1)
    below, above = cum - a, n1[:, None] - cum
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (b * (below - above)).sum(axis=1) / (n1 * n2)
    return np.where((n1 == 0) | (n2 == 0), np.nan, out)


def cronbach_alpha_batch(n: Any, sums: Any, cross: Any) -> BatchAlpha:
    """:func:`reports.stats.cronbach_alpha_from_moments` (Feldt interval) for every row.

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika 16, 297-334. Feldt, L. S., Woodruff, D. J. &
    Salih, F. A. (1987). Applied Psychological Measurement 11, 93-103.
    """
    n = np.array(n, dtype=np.int64)
    s, c = np.asarray(sums, dtype=float), np.asarray(cross, dtype=float)
    k = s.shape[-1] if s.ndim == 2 else -1
    if n.ndim != 1 or s.shape != (n.size, k) or c.shape != (n.size, k, k):
        raise ValueError(f"need n (G,), sums (G, k) and cross (G, k, k); got {n.shape}, "
                         f"{s.shape} and {c.shape}")
    if np.any(n < 0):
        raise ValueError("n must be non-negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (c - s[:, :, None] * s[:, None, :] / n[:, None, None]) / (n - 1)[:, None, None]
        total, trace = cov.sum(axis=(1, 2)), np.trace(cov, axis1=1, axis2=2)
        flat = (total <= 1e-12 * np.maximum(1.0, trace)) | (trace <= 0)
        code = _codes(n.size, (np.full(n.size, k < 2), "too_few_items"), (n == 0, "empty"),
                      (n < 2, "too_few"), (flat, "no_variance"))
        alpha = np.minimum(1.0, k / (k - 1) * (1 - trace / total))
        df1, df2 = n - 1, (n - 1) * (k - 1)
        lo = 1 - (1 - alpha) * special.fdtri(df1, df2, 0.975)
        hi = np.minimum(1 - (1 - alpha) * special.fdtri(df1, df2, 0.025), 1.0)
    return BatchAlpha(n, k, *_nan_where(code != "", alpha, lo, hi), code)


def spearman_batch(x_values: Any, y_values: Any, joints: Any) -> BatchCorrelation:
    """:func:`reports.stats.spearman_from_joint` for a stack of joint tables (G, X, Y).

    References
    ----------
    Spearman, C. (1904). Am. J. Psychol. 15, 72-101. Bonett, D. G. & Wright, T. A. (2000).
    Psychometrika 65, 23-28.
    """
    xv, yv = np.asarray(x_values, float), np.asarray(y_values, float)
    j = np.asarray(joints)
    if j.ndim != 3 or j.shape[1:] != (xv.size, yv.size):
        raise ValueError(f"joints must have shape (G, {xv.size}, {yv.size}), got {j.shape}")
    if np.any(j < 0) or np.any(j != np.round(j)):
        raise ValueError("joint counts must be non-negative whole numbers")
    if np.any(np.diff(xv) <= 0) or np.any(np.diff(yv) <= 0):
        raise ValueError("x_values and y_values must be strictly increasing")
    j = j.astype(float)
    n = j.sum(axis=(1, 2))
    mx, my = j.sum(axis=2), j.sum(axis=1)
    rx = midranks_rows(mx) - (n[:, None] + 1) / 2
    ry = midranks_rows(my) - (n[:, None] + 1) / 2
    sxx, syy = (mx * rx**2).sum(axis=1), (my * ry**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = (np.einsum("gx,gxy->gy", rx, j) * ry).sum(axis=1)
        rho = np.clip(cross / np.sqrt(sxx * syy), -1.0, 1.0)
        half = Z975 * np.sqrt((1 + rho * rho / 2) / (n - 3))
        z = np.arctanh(rho)
        p = _t_two_sided_p(rho * np.sqrt((n - 2) / (1 - rho * rho)), n - 2)
        lo, hi = np.tanh(z - half), np.tanh(z + half)
    perfect = np.abs(rho) == 1.0
    lo, hi, p = np.where(perfect, rho, lo), np.where(perfect, rho, hi), np.where(perfect, 0.0, p)
    code = _codes(n.size, (n == 0, "empty"), (n < 4, "too_few"),
                  ((sxx <= 0) | (syy <= 0), "no_variance"))
    return BatchCorrelation(n.astype(np.int64), *_nan_where(code != "", rho, lo, hi, p), code)


@dataclass(frozen=True)
class BatchComparison:
    """:func:`reports.stats.compare_waves` for many pairs: the difference, the asymptotic
    rank test, Cliff's delta, and the primary p-value with its route (NaN/None: no test)."""

    figure: str
    difference: BatchDifference
    rank_test: BatchRankTest
    cliffs_delta: np.ndarray
    p_value: np.ndarray
    p_method: tuple[str | None, ...]


def compare_batch(figure: str, values: Any, counts1: Any, counts2: Any) -> BatchComparison:
    """Primary wave-on-wave comparison of many pairs, routed as ``compare_waves``.

    Welch t (scores) or the multinomial Wald z (eNPS) when both waves have n >= 20; the
    Brunner-Munzel studentized permutation p-value (scalar, only for those pairs) when
    10 <= n < 20; no test below 10 (Neubert & Brunner 2007; docs/methods.md).
    """
    if figure not in {"score", "enps"}:
        raise ValueError(f"figure must be 'score' or 'enps', got {figure!r}")
    v, c1, c2 = _pair(values, counts1, counts2)
    diff = (score_change_batch if figure == "score" else enps_change_batch)(v, c1, c2)
    n = np.minimum(diff.n1, diff.n2)
    p = np.where((n >= MIN_ASYMPTOTIC_N) & diff.computable, diff.p_value, np.nan)
    how: list[str | None] = [diff.method if ok else None for ok in np.isfinite(p)]
    for i in np.flatnonzero((n >= MIN_TEST_N) & (n < MIN_ASYMPTOTIC_N) & diff.computable):
        rank = brunner_munzel(v, c1[i], v, c2[i])
        p[i], how[i] = rank.p_value, rank.method
    p.flags.writeable = False
    return BatchComparison(figure, diff, brunner_munzel_batch(v, c1, c2),
                           cliffs_delta_batch(v, c1, c2), p, tuple(how))
