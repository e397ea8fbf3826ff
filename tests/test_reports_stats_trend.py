"""reports.stats.trend against statsmodels WLS, scipy theilslopes and hand-worked MK."""

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as ss

from reports.stats import intervention_effect, mann_kendall, theil_sen, trend_wls

T = np.arange(8.0)
Y = np.array([61.0, 62.5, 61.8, 64.0, 63.2, 65.9, 66.1, 67.4])
N = np.array([700, 690, 720, 705, 710, 680, 730, 700.0])


def test_wls_matches_statsmodels():
    # Reference: statsmodels WLS with weights = n.
    ref = sm.WLS(Y, sm.add_constant(T), weights=N).fit()
    r = trend_wls(T, Y, N)
    assert r.slope == pytest.approx(ref.params[1], abs=1e-9)
    assert r.se == pytest.approx(ref.bse[1], abs=1e-9)
    assert r.p_value == pytest.approx(ref.pvalues[1], abs=1e-9)
    assert (r.ci_low, r.ci_high) == pytest.approx(tuple(ref.conf_int()[1]), abs=1e-9)


def _mk_by_hand(x):
    # Formulas of Gilbert (1987) sec. 16.4 as in pyMannKendall original_test
    # (Hussain & Mahmud 2019, JOSS 4(39):1556), written out as loops.
    n, s = len(x), 0
    for k in range(n - 1):
        for j in range(k + 1, n):
            s += (x[j] > x[k]) - (x[j] < x[k])
    _, t = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(c * (c - 1) * (2 * c + 5) for c in t)) / 18
    z = (s - 1) / var**0.5 if s > 0 else (s + 1) / var**0.5 if s < 0 else 0.0
    return s, var, z, 2 * (1 - ss.norm.cdf(abs(z)))


def test_mann_kendall_hand_worked():
    # Worked example: strictly increasing n = 8 gives S = 28, Var S = 8*7*21/18.
    r = mann_kendall(np.arange(8.0))
    assert (r.s, r.var_s, r.tau) == pytest.approx((28, 8 * 7 * 21 / 18, 1.0))
    assert r.z == pytest.approx(27 / np.sqrt(8 * 7 * 21 / 18), abs=1e-12)
    x = [5.0, 3, 5, 6, 6, 8, 7, 9, 9, 9]
    s, var, z, p = _mk_by_hand(x)
    r = mann_kendall(x)
    assert (r.s, r.var_s, r.z, r.p_value) == pytest.approx((s, var, z, p), abs=1e-12)


def test_theil_sen_matches_scipy():
    # Reference: scipy.stats.theilslopes (Sen 1968 interval).
    ref = ss.theilslopes(Y, T)
    r = theil_sen(T, Y)
    assert (r.slope, r.intercept, r.ci_low, r.ci_high) == pytest.approx(
        (ref.slope, ref.intercept, ref.low_slope, ref.high_slope), abs=1e-12)


def test_intervention_matches_statsmodels_design():
    # Reference: statsmodels WLS with design [1, t, D, (t - t0) D], weights n.
    t0 = 4.0
    d = (t0 <= T).astype(float)
    x = np.column_stack([np.ones(8), T, d, (T - t0) * d])
    ref = sm.WLS(Y, x, weights=N).fit()
    r = intervention_effect(T, Y, N, t0)
    assert r.level_change == pytest.approx(ref.params[2], abs=1e-9)
    assert r.slope_change == pytest.approx(ref.params[3], abs=1e-9)
    assert r.level_p == pytest.approx(ref.pvalues[2], abs=1e-9)
    assert r.slope_ci == pytest.approx(tuple(ref.conf_int()[3]), abs=1e-9)


def test_not_computable():
    assert mann_kendall(Y[:7]).reason_code == "too_few_waves"
    assert theil_sen(T[:5], Y[:5]).reason_code == "too_few_waves"
    assert intervention_effect(T, Y, N, 6.0).reason_code == "too_few_waves_each_side"
    assert mann_kendall(np.ones(9)).reason_code == "flat_series"
    with pytest.raises(ValueError, match="positive"):
        trend_wls(T, Y, -N)


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 100), st.integers(3, 12), st.integers(0, 2**32 - 1))
def test_constant_series_has_no_trend(level, k, seed):
    # A flat series used to get a round-off slope (~1e-15) with a round-off se, so its
    # "p-value" was arbitrary (0.04 for some levels; 0 with four waves and se = 0). R's
    # lm() on such data warns "essentially perfect fit: summary may be unreliable"; here
    # every trend method says there is no trend to estimate instead of giving a p-value.
    rng = np.random.default_rng(seed)
    t = np.sort(rng.choice(np.arange(40), k, replace=False)) * 0.25
    y = np.full(k, level)
    assert trend_wls(t, y, rng.integers(5, 900, k)).reason_code == "flat_series"
    if k >= 8:
        assert theil_sen(t, y).reason_code == "flat_series"
        assert mann_kendall(y).reason_code == "flat_series"
    if k >= 6:
        assert intervention_effect(t, y, np.full(k, 40.0), t[3]).reason_code == "flat_series"


def test_four_equal_waves_have_no_trend():
    r = trend_wls([0.0, 1.0, 2.0, 3.0], [62.5] * 4, [31, 28, 35, 30])
    assert (r.computable, r.reason_code, r.p_value, r.se) == (False, "flat_series", None, None)


def test_exact_line_has_no_standard_error():
    # Points exactly on a line leave only round-off residuals: se ~ 1e-16 gave p ~ 1e-31.
    r = trend_wls(np.arange(4.0), [50.0, 52.5, 55.0, 57.5], [30, 31, 29, 40])
    assert (r.reason_code, r.p_value) == ("exact_fit", None)
    t = np.arange(8.0)
    broken = np.where(t < 4, 60 + t, 70 - 0.5 * t)
    assert intervention_effect(t, broken, np.full(8, 30.0), 4.0).reason_code == "exact_fit"


def test_wls_on_calendar_times_matches_statsmodels():
    # Time is centred before fitting; slope, intercept, se and p are those of statsmodels
    # (which fits the uncentred design) for times like 2026.25 as well as 0..7.
    t = 2026.0 + T / 4
    ref = sm.WLS(Y, sm.add_constant(t), weights=N).fit()
    r = trend_wls(t, Y, N)
    assert (r.slope, r.intercept) == pytest.approx(tuple(ref.params[::-1]), rel=1e-9)
    assert (r.se, r.p_value) == pytest.approx((ref.bse[1], ref.pvalues[1]), rel=1e-7)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=8, max_size=12))
def test_trend_intervals_contain_estimates(y):
    t = np.arange(len(y), dtype=float)
    for r in (trend_wls(t, y), theil_sen(t, y)):
        if r.computable:
            assert r.ci_low - 1e-9 <= r.slope <= r.ci_high + 1e-9
    m = mann_kendall(y)
    assert not m.computable or 0 <= m.p_value <= 1
