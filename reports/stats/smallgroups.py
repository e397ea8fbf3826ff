"""Small-group ranking: empirical-Bayes shrinkage of group scores toward the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._common import reason_fields

__all__ = ["MIN_ASYMPTOTIC_N", "MIN_TEST_N", "ShrinkageResult", "eb_shrinkage"]

MIN_TEST_N = 10
MIN_ASYMPTOTIC_N = 20


@dataclass(frozen=True)
class ShrinkageResult:
    """Shrunken group estimates, shrinkage factors B_g and the between-group variance."""

    estimates: tuple[float, ...] | None = None
    shrinkage: tuple[float, ...] | None = None
    tau2: float | None = None
    target: float | None = None
    computable: bool = True
    reason_code: str = ""
    reason: str = ""


def _dl_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian-Laird method-of-moments between-group variance (truncated at 0)."""
    w = 1.0 / v
    mean = float(w @ y / w.sum())
    q = float(w @ (y - mean) ** 2)
    c = w.sum() - (w @ w) / w.sum()
    return max(0.0, (q - (y.size - 1)) / c)


def eb_shrinkage(estimates: Any, variances: Any, target: float | None = None) -> ShrinkageResult:
    """Normal-normal empirical-Bayes shrinkage for ranking groups.

    ``theta_g = B_g * target + (1 - B_g) * y_g`` with ``B_g = v_g / (v_g + tau^2)``;
    ``tau^2`` is estimated by the method of moments (DerSimonian-Laird). ``target``
    defaults to the precision-weighted mean; pass the organisation's figure to shrink
    toward it.

    References
    ----------
    Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    JASA 78, 47-55. DerSimonian, R. & Laird, N. (1986). Controlled Clinical Trials 7,
    177-188.
    """
    y, v = np.asarray(estimates, dtype=float), np.asarray(variances, dtype=float)
    if y.ndim != 1 or y.shape != v.shape:
        raise ValueError(f"estimates and variances must be 1-D of equal length, "
                         f"got {y.shape} and {v.shape}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))) or np.any(v <= 0):
        raise ValueError("estimates must be finite and variances finite and positive")
    if y.size < 3:
        return ShrinkageResult(**reason_fields("too_few_groups"))
    tau2 = _dl_tau2(y, v)
    mu = float((y / v).sum() / (1 / v).sum()) if target is None else float(target)
    b = v / (v + tau2)
    theta = b * mu + (1 - b) * y
    return ShrinkageResult(tuple(map(float, theta)), tuple(map(float, b)), tau2, mu)
