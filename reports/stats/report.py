"""Wave-on-wave comparisons of one report: primary test, BH q-values and labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._common import as_histogram, hist_moments
from .change import (
    NO_CHANGE_DETECTABLE,
    ChangeVerdict,
    Difference,
    classify_change,
    enps_change,
    score_change,
)
from .multiplicity import bh_qvalues
from .power import mdd_enps, mdd_score, pooled_sd
from .ranks import RankTestResult, brunner_munzel, cliffs_delta
from .smallgroups import MIN_ASYMPTOTIC_N, MIN_TEST_N

__all__ = ["DEFAULT_THRESHOLDS", "Comparison", "compare_waves", "judge_comparisons"]

DEFAULT_THRESHOLDS = {"score": 5.0, "favourability": 5.0, "enps": 10.0}


@dataclass(frozen=True)
class Comparison:
    """Primary difference (score or eNPS) of two waves and the p-value used for it.

    ``p_method`` is ``'welch'``/``'wald_multinomial'`` for n >= 20 in both waves, the
    Brunner-Munzel permutation route for 10 <= n < 20, ``None`` below 10.
    """

    figure: str
    difference: Difference
    rank_test: RankTestResult
    cliffs_delta: float | None
    p_value: float | None
    p_method: str | None
    mdd_inputs: tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    @property
    def mdd(self) -> float | None:
        """Minimum detectable difference (80% power) from both waves, computed on demand."""
        return _mdd(*self.mdd_inputs)


def _mdd(figure: str, v1: np.ndarray, c1: np.ndarray, v2: np.ndarray,
         c2: np.ndarray) -> float | None:
    """Both waves' spread: the earlier wave alone says "MDD 0" when it is all one answer."""
    (n1, _m1, var1), (n2, _m2, var2) = hist_moments(v1, c1), hist_moments(v2, c2)
    if min(n1, n2) < 2:
        return None
    if figure == "enps":
        return mdd_enps(n1, n2, *_pro_det(v1, c1), later=_pro_det(v2, c2))
    return mdd_score(n1, n2, 25.0 * pooled_sd(n1, var1, n2, var2))


def _pro_det(v: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    n = c.sum()
    return float(c[v >= 9].sum() / n), float(c[v <= 6].sum() / n)


def compare_waves(figure: str, values1: Any, counts1: Any, values2: Any,
                  counts2: Any) -> Comparison:
    """Compare an earlier (1) and later (2) wave histogram for ``figure`` 'score'/'enps'.

    Welch t (scores) or the multinomial Wald z (eNPS) gives the p-value when both waves
    have n >= 20; with 10 <= n < 20 the Brunner-Munzel permutation p-value is used; below
    10 there is no test (Neubert & Brunner 2007; see docs/methods.md).
    """
    if figure not in {"score", "enps"}:
        raise ValueError(f"figure must be 'score' or 'enps', got {figure!r}")
    v1, c1 = as_histogram(values1, counts1)
    v2, c2 = as_histogram(values2, counts2)
    diff = (score_change if figure == "score" else enps_change)(v1, c1, v2, c2)
    rank = brunner_munzel(v1, c1, v2, c2)
    n1, n2 = int(c1.sum()), int(c2.sum())
    if min(n1, n2) < MIN_TEST_N or not diff.computable:
        p, how = None, None
    elif min(n1, n2) < MIN_ASYMPTOTIC_N:
        p, how = rank.p_value, rank.method
    else:
        p, how = diff.p_value, diff.method
    return Comparison(figure, diff, rank, cliffs_delta(v1, c1, v2, c2), p, how,
                      (figure, v1, c1, v2, c2))


def _judge(c: Comparison, q: float, threshold: float, alpha: float) -> ChangeVerdict:
    verdict = classify_change(c.difference, q, threshold, None, alpha)
    if verdict.verdict != NO_CHANGE_DETECTABLE:
        return verdict
    return classify_change(c.difference, q, threshold, c.mdd, alpha)


def judge_comparisons(
    comparisons: Sequence[Comparison], thresholds: dict[str, float] | None = None,
    alpha: float = 0.05,
) -> list[ChangeVerdict | None]:
    """Benjamini-Hochberg over all comparisons of a report, then label each one.

    Comparisons without a p-value get None (shown as "too few responses").
    """
    th = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    q = bh_qvalues([c.p_value for c in comparisons])
    return [
        None if qi is None else _judge(c, qi, th[c.figure], alpha)
        for c, qi in zip(comparisons, q, strict=True)
    ]
