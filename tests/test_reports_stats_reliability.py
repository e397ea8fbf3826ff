"""reports.stats.reliability against pingouin.cronbach_alpha."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as ss

from reports.stats import cronbach_alpha, cronbach_alpha_from_moments


def _data():
    rng = np.random.default_rng(7)
    base = rng.integers(1, 6, 200)
    x = np.clip(base[:, None] + rng.integers(-1, 2, (200, 4)), 1, 5).astype(float)
    x[rng.random(x.shape) < 0.05] = np.nan
    return x


def test_alpha_matches_pingouin():
    # Reference: pingouin.cronbach_alpha(nan_policy="listwise") for alpha. pingouin 0.7
    # rounds its CI to 3 decimals and takes n before listwise deletion, so its CI is
    # compared on complete data, and the Feldt bounds are recomputed with scipy.stats.f.
    x = _data()
    ref_alpha, _ = pg.cronbach_alpha(pd.DataFrame(x), nan_policy="listwise")
    r = cronbach_alpha(x)
    assert r.alpha == pytest.approx(ref_alpha, abs=1e-9)
    complete = x[~np.isnan(x).any(axis=1)]
    _, ref_ci = pg.cronbach_alpha(pd.DataFrame(complete))
    assert (r.ci_low, r.ci_high) == pytest.approx(tuple(ref_ci), abs=5e-4)
    n, k = r.n, r.k
    lo = 1 - (1 - ref_alpha) * ss.f.ppf(0.975, n - 1, (n - 1) * (k - 1))
    assert r.ci_low == pytest.approx(lo, abs=1e-9)


def test_not_computable_and_validation():
    assert cronbach_alpha(np.ones((10, 3))).reason_code == "no_variance"
    assert cronbach_alpha(np.ones((10, 1))).reason_code == "too_few_items"
    assert cronbach_alpha_from_moments(1, [1, 1], [[1, 1], [1, 1]]).reason_code == "too_few"
    with pytest.raises(ValueError, match="cross"):
        cronbach_alpha_from_moments(5, [1, 2], [[1]])


@settings(max_examples=50, deadline=None)
@given(arrays(float, (12, 3), elements=st.integers(1, 5).map(float)))
def test_alpha_at_most_one(x):
    r = cronbach_alpha(x)
    assert (r.computable and r.alpha <= 1 and r.ci_low <= r.alpha <= r.ci_high) or r.reason
