"""Pure statistics for naranu reports (numpy/scipy only; no Flask, no SQLAlchemy).

Every public function validates its input (``ValueError`` with a precise message),
returns a frozen result, and reports degenerate input as ``computable=False`` with a
``reason_code`` and an English ``reason`` instead of NaN. See ``docs/methods.md``.
"""

from ._common import REASONS, reason_fields
from .change import (
    CHANGE,
    NO_CHANGE_DETECTABLE,
    NO_MEANINGFUL_CHANGE,
    ChangeVerdict,
    Difference,
    classify_change,
    enps_change,
    favourability_change,
    score_change,
)
from .composite import composite_grid, composite_scores, grid_resolution, reverse_likert
from .descriptive import Estimate, enps, favourability, mean_interval, score, wilson_interval
from .drivers import (
    CorrelationResult,
    RelativeWeightsResult,
    correlation_from_moments,
    relative_weights,
    spearman_from_joint,
)
from .multiplicity import bh_qvalues
from .power import mdd_enps, mdd_proportion, mdd_score, pooled_sd
from .ranks import RankTestResult, brunner_munzel, cliffs_delta
from .reliability import AlphaResult, cronbach_alpha, cronbach_alpha_from_moments
from .report import DEFAULT_THRESHOLDS, Comparison, compare_waves, judge_comparisons
from .smallgroups import MIN_ASYMPTOTIC_N, MIN_TEST_N, ShrinkageResult, eb_shrinkage
from .trend import (
    InterventionResult,
    MannKendallResult,
    TrendResult,
    intervention_effect,
    mann_kendall,
    theil_sen,
    trend_wls,
)

__all__ = [
    "CHANGE",
    "DEFAULT_THRESHOLDS",
    "MIN_ASYMPTOTIC_N",
    "MIN_TEST_N",
    "NO_CHANGE_DETECTABLE",
    "NO_MEANINGFUL_CHANGE",
    "REASONS",
    "AlphaResult",
    "ChangeVerdict",
    "Comparison",
    "CorrelationResult",
    "Difference",
    "Estimate",
    "InterventionResult",
    "MannKendallResult",
    "RankTestResult",
    "RelativeWeightsResult",
    "ShrinkageResult",
    "TrendResult",
    "bh_qvalues",
    "brunner_munzel",
    "classify_change",
    "cliffs_delta",
    "compare_waves",
    "composite_grid",
    "composite_scores",
    "correlation_from_moments",
    "cronbach_alpha",
    "cronbach_alpha_from_moments",
    "eb_shrinkage",
    "enps",
    "enps_change",
    "favourability",
    "favourability_change",
    "grid_resolution",
    "intervention_effect",
    "judge_comparisons",
    "mann_kendall",
    "mdd_enps",
    "mdd_proportion",
    "mdd_score",
    "mean_interval",
    "pooled_sd",
    "reason_fields",
    "relative_weights",
    "reverse_likert",
    "score",
    "score_change",
    "spearman_from_joint",
    "theil_sen",
    "trend_wls",
    "wilson_interval",
]
