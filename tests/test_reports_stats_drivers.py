"""reports.stats.drivers against scipy.stats.spearmanr and a from-scratch Johnson (2000)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as ss

from reports.stats import correlation_from_moments, relative_weights, spearman_from_joint


def _joint(rng, n=300):
    x = rng.integers(0, 13, n)
    y = np.clip((x * 10 / 12 + rng.normal(0, 3, n)).round(), 0, 10).astype(int)
    j = np.zeros((13, 11), dtype=int)
    np.add.at(j, (x, y), 1)
    return x, y, j


def test_spearman_matches_scipy():
    # Reference: scipy.stats.spearmanr on expanded data; CI by Bonett & Wright (2000).
    x, y, j = _joint(np.random.default_rng(3))
    r = spearman_from_joint(np.arange(13) / 3 + 1, np.arange(11), j)
    ref = ss.spearmanr(x, y)
    assert r.rho == pytest.approx(ref.statistic, abs=1e-9)
    assert r.p_value == pytest.approx(ref.pvalue, abs=1e-9)
    se = np.sqrt((1 + ref.statistic**2 / 2) / (x.size - 3))
    assert r.ci_low == pytest.approx(np.tanh(np.arctanh(ref.statistic) - 1.959963984540054 * se))


def test_relative_weights_from_scratch():
    # Independent route: Johnson (2000) via the SVD of standardized raw data,
    # Z = U V' (orthogonal counterparts), beta = Z'y, Lambda = Z'X.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 4)) @ rng.normal(size=(4, 4))
    y = x @ [0.5, 0.2, 0.0, -0.3] + rng.normal(size=400)
    xs = (x - x.mean(0)) / x.std(0)
    ys = (y - y.mean()) / y.std()
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt
    beta = z.T @ ys / np.sqrt(400)  # z has unit-norm columns: sqrt(n) z is standardized
    lam = z.T @ xs / np.sqrt(400)
    ref = (lam**2).T @ beta**2
    d = np.column_stack([x, y])
    corr = correlation_from_moments(400, d.sum(0), d.T @ d)
    r = relative_weights(corr)
    assert r.weights == pytest.approx(tuple(ref), abs=1e-9)
    r2 = np.linalg.lstsq(np.column_stack([np.ones(400), x]), y, rcond=None)
    assert r.r_squared == pytest.approx(1 - r2[1][0] / ((y - y.mean()) ** 2).sum(), abs=1e-9)


def test_degenerate():
    j = np.zeros((3, 11), dtype=int)
    j[1, 4] = 10
    assert spearman_from_joint([1, 2, 3], np.arange(11), j).reason_code == "no_variance"
    assert spearman_from_joint([1, 2, 3], np.arange(11), 0 * j).reason_code == "empty"
    with pytest.raises(ValueError, match="shape"):
        spearman_from_joint([1, 2], np.arange(11), j)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10)), min_size=5, max_size=60))
def test_property_spearman(pairs):
    j = np.zeros((5, 11), dtype=int)
    for a, b in pairs:
        j[a, b] += 1
    r = spearman_from_joint(np.arange(5), np.arange(11), j)
    if r.computable:
        a, b = np.array(pairs).T
        assert r.rho == pytest.approx(ss.spearmanr(a, b).statistic, abs=1e-9)
        assert -1 <= r.ci_low <= r.rho <= r.ci_high <= 1
