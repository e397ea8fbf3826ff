"""reports.stats.change, ranks, multiplicity and report labelling against references."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as ss
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from reports.stats import (
    CHANGE,
    NO_CHANGE_DETECTABLE,
    NO_MEANINGFUL_CHANGE,
    bh_qvalues,
    brunner_munzel,
    cliffs_delta,
    compare_waves,
    enps_change,
    favourability_change,
    judge_comparisons,
    score_change,
)

V5 = np.arange(1, 6.0)
A = np.array([10, 14, 20, 30, 16])
B = np.array([5, 10, 18, 40, 27])


def test_welch_matches_scipy_ttest_ind():
    # Reference: scipy.stats.ttest_ind(equal_var=False) on expanded data.
    x, y = np.repeat(V5, A), np.repeat(V5, B)
    ref = ss.ttest_ind(y, x, equal_var=False)
    lo, hi = ref.confidence_interval(0.95)
    r = score_change(V5, A, V5, B)
    assert r.p_value == pytest.approx(ref.pvalue, abs=1e-12)
    assert (r.ci_low, r.ci_high) == pytest.approx((25 * lo, 25 * hi), abs=1e-9)


def test_brunner_munzel_matches_scipy():
    # Reference: scipy.stats.brunnermunzel on expanded data.
    x, y = np.repeat(V5, A), np.repeat(V5, B)
    ref = ss.brunnermunzel(x, y)
    r = brunner_munzel(V5, A, V5, B)
    assert r.statistic == pytest.approx(ref.statistic, abs=1e-9)
    assert r.p_value == pytest.approx(ref.pvalue, abs=1e-9)


def test_brunner_munzel_permutation_matches_scipy_permutation_test():
    # Reference: scipy.stats.permutation_test (exact, all splits) of the studentized BM
    # statistic (Neubert & Brunner 2007) on expanded data.
    a, b = np.array([1, 1, 2, 1, 0]), np.array([0, 1, 1, 2, 2])
    x, y = np.repeat(V5, a), np.repeat(V5, b)

    def stat(u, v):
        # |statistic| of scipy.stats.brunnermunzel, written out (Brunner & Munzel 2000) so
        # that a completely separated split gives inf without a division-by-zero warning.
        r = ss.rankdata(np.concatenate([u, v]))
        ru, rv = r[:u.size], r[u.size:]
        su = np.sum((ru - ss.rankdata(u) - ru.mean() + (u.size + 1) / 2) ** 2) / (u.size - 1)
        sv = np.sum((rv - ss.rankdata(v) - rv.mean() + (v.size + 1) / 2) ** 2) / (v.size - 1)
        scale = (u.size + v.size) * np.sqrt(u.size * su + v.size * sv)
        shift = u.size * v.size * abs(rv.mean() - ru.mean())
        return shift / scale if scale > 0 else (np.inf if shift > 0 else 0.0)

    assert stat(x, y) == pytest.approx(abs(ss.brunnermunzel(x, y).statistic), rel=1e-12)
    ref = ss.permutation_test((x, y), stat, permutation_type="independent",
                              alternative="greater", n_resamples=np.inf)
    r = brunner_munzel(V5, a, V5, b, method="permutation")
    assert r.method == "brunner_munzel_permutation_exact"
    assert r.p_value == pytest.approx(ref.pvalue, abs=1e-9)


def test_small_groups_rules():
    assert brunner_munzel(V5, [1, 2, 3, 1, 1], V5, B).reason_code == "too_few_for_test"
    c = compare_waves("score", V5, [2, 3, 3, 4, 3], V5, B)
    assert c.p_method.startswith("brunner_munzel_permutation")
    assert compare_waves("score", V5, [1, 1, 1, 1, 1], V5, B).p_value is None


def test_cliffs_delta_brute_force():
    x, y = np.repeat(V5, A), np.repeat(V5, B)
    ref = np.sign(y[None, :] - x[:, None]).mean()
    assert cliffs_delta(V5, A, V5, B) == pytest.approx(ref, abs=1e-12)


def test_newcombe_published_example_and_statsmodels():
    # Newcombe (1998) Stat Med 17:873, Table II example (a): 56/70 vs 48/80, method 10
    # gives 0.0524 to 0.3339 (here later minus earlier, so sample 2 = 56/70).
    r = favourability_change(48, 80, 56, 70)
    assert r.ci_low / 100 == pytest.approx(0.0524, abs=5e-5)
    assert r.ci_high / 100 == pytest.approx(0.3339, abs=5e-5)
    lo, hi = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff")
    assert (r.ci_low / 100, r.ci_high / 100) == pytest.approx((lo, hi), abs=1e-9)


def test_enps_change_hand_computation():
    c1 = np.array([10, 0, 0, 0, 0, 0, 0, 20, 0, 0, 10])  # pro .25 det .25
    c2 = np.array([5, 0, 0, 0, 0, 0, 0, 15, 0, 0, 20])  # pro .5 det .125
    r = enps_change(np.arange(11), c1, np.arange(11), c2)
    se = np.sqrt((0.5 - 0) / 40 + (0.625 - 0.375**2) / 40)
    assert r.estimate == pytest.approx(37.5, abs=1e-9)
    assert r.se == pytest.approx(100 * se, abs=1e-9)


def test_bh_matches_statsmodels():
    # Reference: statsmodels multipletests(method="fdr_bh").
    p = [0.01, 0.04, 0.03, 0.2, 0.001, 0.5, 0.049]
    ref = multipletests(p, method="fdr_bh")[1]
    q = bh_qvalues([*p[:3], None, *p[3:]])
    assert q[3] is None
    assert np.allclose([x for x in q if x is not None], ref, atol=1e-12)


def test_labels():
    big = compare_waves("score", V5, A * 10, V5, B * 10)
    tiny = compare_waves("score", V5, A * 200, V5, A * 200 + np.array([0, 0, 0, 1, 0]))
    flat = compare_waves("score", V5, A, V5, A + np.array([0, 0, 1, 0, 0]))
    labels = judge_comparisons([big, tiny, flat])
    assert [x.verdict for x in labels] == [CHANGE, NO_MEANINGFUL_CHANGE, NO_CHANGE_DETECTABLE]
    assert labels[2].mdd > 5


hist = st.lists(st.integers(0, 15), min_size=5, max_size=5)


@settings(max_examples=40, deadline=None)
@given(hist, hist)
def test_property_bm_and_welch_vs_scipy(a, b):
    a, b = np.array(a), np.array(b)
    r = brunner_munzel(V5, a, V5, b, method="asymptotic")
    w = score_change(V5, a, V5, b)
    for res in (r, w):
        assert res.computable or res.reason_code
        assert res.p_value is None or 0 <= res.p_value <= 1
    if r.computable:
        ref = ss.brunnermunzel(np.repeat(V5, a), np.repeat(V5, b))
        assert r.p_value == pytest.approx(ref.pvalue, abs=1e-9)
    if w.computable:
        assert w.ci_low <= w.estimate <= w.ci_high
    if a.sum() and b.sum():
        f = favourability_change(int(a[3:].sum()), int(a.sum()), int(b[3:].sum()), int(b.sum()))
        assert -100 <= f.ci_low <= f.estimate <= f.ci_high <= 100


def test_brunner_munzel_monte_carlo_within_error_of_scipy_permutation_test():
    # Reference: scipy.stats.permutation_test (20,000 random splits) of the studentized BM
    # statistic on expanded data. Too many tables to enumerate, so ours draws 2,000 tables
    # (fixed seed); both estimate one p, so they agree within 4 combined standard errors.
    grid = np.arange(3, 16) / 3
    a = np.array([0, 1, 1, 2, 1, 2, 1, 2, 2, 1, 1, 1, 0])
    b = np.array([0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 2, 1, 2])
    x, y = np.repeat(grid, a), np.repeat(grid, b)

    def stat(u, v, axis=-1):
        return np.abs(ss.brunnermunzel(u, v, axis=axis).statistic)

    ref = ss.permutation_test((x, y), stat, permutation_type="independent", vectorized=True,
                              alternative="greater", n_resamples=20_000,
                              rng=np.random.default_rng(7))
    r = brunner_munzel(grid, a, grid, b, method="permutation")
    assert r.method == "brunner_munzel_permutation_mc"
    se = np.sqrt(ref.pvalue * (1 - ref.pvalue) * (1 / 2_000 + 1 / 20_000))
    assert abs(r.p_value - ref.pvalue) < 4 * se
    assert brunner_munzel(grid, a, grid, b, method="permutation").p_value == r.p_value  # seeded
