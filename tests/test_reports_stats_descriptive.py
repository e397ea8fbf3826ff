"""reports.stats.descriptive against statsmodels/scipy references."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as ss
from statsmodels.stats.proportion import proportion_confint

from reports.stats import enps, favourability, mean_interval, score, wilson_interval

V5 = np.arange(1, 6)


def test_favourability_matches_statsmodels_wilson():
    # Reference: statsmodels proportion_confint(method="wilson").
    counts = [3, 7, 10, 25, 15]
    r = favourability(V5, counts)
    lo, hi = proportion_confint(40, 60, alpha=0.05, method="wilson")
    assert r.estimate == pytest.approx(100 * 40 / 60, abs=1e-9)
    assert r.ci_low == pytest.approx(100 * lo, abs=1e-9)
    assert r.ci_high == pytest.approx(100 * hi, abs=1e-9)


def test_mean_and_score_match_scipy_t_interval():
    # Reference: scipy.stats.t.interval on the expanded data.
    counts = np.array([3, 7, 10, 25, 15])
    x = np.repeat(V5, counts)
    lo, hi = ss.t.interval(0.95, x.size - 1, loc=x.mean(), scale=ss.sem(x))
    m = mean_interval(V5, counts)
    assert (m.estimate, m.ci_low, m.ci_high) == pytest.approx((x.mean(), lo, hi), abs=1e-9)
    s = score(V5, counts)
    assert s.estimate == pytest.approx((x.mean() - 1) * 25, abs=1e-9)
    assert s.ci_low == pytest.approx((lo - 1) * 25, abs=1e-9)


def test_mean_interval_is_clipped_to_the_scale():
    # Reference: scipy.stats.t.interval of answers 1, 1, 2 reaches below 1 (about -0.10);
    # a mean of 1-5 answers cannot, so the lower bound is the scale's end and the upper
    # bound is scipy's. Same at the top with 5, 5, 4, and the score maps onto [0, 100].
    for counts, end in (([2, 1, 0, 0, 0], "low"), ([0, 0, 0, 1, 2], "high")):
        x = np.repeat(V5, counts)
        lo, hi = ss.t.interval(0.95, x.size - 1, loc=x.mean(), scale=ss.sem(x))
        m = mean_interval(V5, counts)
        want = (1.0, hi) if end == "low" else (lo, 5.0)
        assert (lo < 1) if end == "low" else (hi > 5)
        assert (m.ci_low, m.ci_high) == pytest.approx(want, abs=1e-9)
        s = score(V5, counts)
        assert (s.ci_low, s.ci_high) == pytest.approx(tuple(25 * (b - 1) for b in want))
    with pytest.raises(ValueError, match="scale"):
        mean_interval(np.arange(11), [1] * 11)


def test_wilson_interval_matches_statsmodels_and_has_reason_codes():
    # Reference: statsmodels proportion_confint(method="wilson"), in fractions.
    r = wilson_interval(40, 60)
    assert (r.estimate, r.ci_low, r.ci_high) == pytest.approx(
        (40 / 60, *proportion_confint(40, 60, alpha=0.05, method="wilson")), abs=1e-12)
    empty = wilson_interval(0, 0)
    assert (empty.computable, empty.reason_code, empty.n, empty.estimate) == (
        False, "empty", 0, None)
    with pytest.raises(ValueError, match="count"):
        wilson_interval(3, 2)


def test_enps_and_multinomial_interval():
    # Hand computation of Rocks (2016) variance: p_pro=.4, p_det=.3, n=100.
    counts = np.array([5, 5, 5, 5, 2, 4, 4, 20, 10, 25, 15])
    r = enps(np.arange(11), counts)
    se = np.sqrt((0.4 + 0.3 - 0.01) / 100)
    assert r.estimate == pytest.approx(10.0, abs=1e-9)
    assert r.ci_low == pytest.approx(100 * (0.1 - ss.norm.ppf(0.975) * se), abs=1e-9)


def test_degenerate_and_validation():
    assert not favourability(V5, [0] * 5).computable
    assert mean_interval(V5, [0, 1, 0, 0, 0]).reason_code == "too_few"
    assert not enps(np.arange(11), [0] * 11).computable
    with pytest.raises(ValueError, match="non-negative"):
        favourability(V5, [1, -1, 0, 0, 0])
    with pytest.raises(ValueError, match="differ in length"):
        score(V5, [1, 2])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=5, max_size=5))
def test_intervals_contain_estimates_within_bounds(counts):
    for r, lo, hi in [(favourability(V5, counts), 0, 100), (score(V5, counts), -1e-9, None)]:
        if r.computable:
            assert lo <= r.ci_low <= r.estimate + 1e-9 <= r.ci_high + 2e-9
            assert hi is None or r.ci_high <= hi
    e = enps(np.arange(11), counts + counts + [1])
    assert -100 <= e.ci_low <= e.estimate <= e.ci_high <= 100
