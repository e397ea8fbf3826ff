"""reports.stats.batch / batch_trend: each batched function equals its scalar twin row by row.

Reference: the scalar functions of ``reports.stats`` (themselves pinned to scipy/statsmodels in
the other ``test_reports_stats_*`` files), on random histograms drawn by hypothesis.
"""

from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reports import stats
from reports.stats import batch, batch_trend

TOL = 1e-12
V5 = np.arange(1, 6.0)
V11 = np.arange(11.0)
GRID = np.arange(3, 16) / 3  # a 3-item composite's support


def assert_same(got, want):
    """Field-by-field equality; floats to 1e-12 (absolute or relative)."""
    assert type(got) is type(want)
    for f in fields(want):
        a, b = getattr(got, f.name), getattr(want, f.name)
        if isinstance(b, float) and a is not None:
            assert a == pytest.approx(b, rel=TOL, abs=TOL), f.name
        else:
            assert a == b, f.name


ROWS = st.integers(1, 6)


def counts(k, rows=ROWS, high=40):
    """(rows, k) count matrices with plenty of empty, tiny and constant rows."""
    return rows.flatmap(lambda r: hnp.arrays(
        np.int64, (r, k), elements=st.one_of(st.just(0), st.integers(0, 3), st.integers(0, high))))


@settings(max_examples=150, deadline=None)
@given(counts(5))
def test_one_wave_figures_equal_scalar(c):
    for fn, one in ((batch.score_batch, stats.score), (batch.mean_interval_batch,
                                                       stats.mean_interval),
                    (batch.favourability_batch, stats.favourability)):
        out = fn(V5, c)
        for i, row in enumerate(c):
            assert_same(out.row(i), one(V5, row))


@settings(max_examples=150, deadline=None)
@given(counts(11))
def test_enps_equals_scalar(c):
    out = batch.enps_batch(V11, c)
    for i, row in enumerate(c):
        assert_same(out.row(i), stats.enps(V11, row))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6).flatmap(lambda r: st.tuples(counts(13, st.just(r)),
                                                      counts(13, st.just(r)))))
def test_two_wave_comparisons_equal_scalar(pair):
    a, b = pair
    welch = batch.score_change_batch(GRID, a, b)
    bm = batch.brunner_munzel_batch(GRID, a, b)
    delta = batch.cliffs_delta_batch(GRID, a, b)
    for i in range(a.shape[0]):
        assert_same(welch.row(i), stats.score_change(GRID, a[i], GRID, b[i]))
        assert_same(bm.row(i), stats.brunner_munzel(GRID, a[i], GRID, b[i],
                                                    method="asymptotic"))
        want = stats.cliffs_delta(GRID, a[i], GRID, b[i])
        assert (np.isnan(delta[i]) if want is None
                else delta[i] == pytest.approx(want, rel=TOL, abs=TOL))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4).flatmap(lambda r: st.tuples(counts(5, st.just(r), high=12),
                                                      counts(5, st.just(r), high=12))),
       st.sampled_from(["score", "enps"]))
def test_compare_batch_routes_as_compare_waves(pair, figure):
    a, b = pair
    v = V5 if figure == "score" else np.array([0.0, 5, 7, 9, 10])
    out = batch.compare_batch(figure, v, a, b)
    for i in range(a.shape[0]):
        want = stats.compare_waves(figure, v, a[i], v, b[i])
        assert out.p_method[i] == want.p_method
        assert (np.isnan(out.p_value[i]) if want.p_value is None
                else out.p_value[i] == pytest.approx(want.p_value, rel=TOL, abs=TOL))
        assert_same(out.difference.row(i), want.difference)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6).flatmap(lambda r: st.tuples(counts(11, st.just(r)),
                                                      counts(11, st.just(r)))))
def test_enps_change_equals_scalar(pair):
    a, b = pair
    out = batch.enps_change_batch(V11, a, b)
    for i in range(a.shape[0]):
        assert_same(out.row(i), stats.enps_change(V11, a[i], V11, b[i]))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5).flatmap(lambda r: hnp.arrays(np.int64, (r, 40, 3),
                                                       elements=st.integers(1, 5))),
       st.lists(st.integers(0, 40), min_size=5, max_size=5))
def test_alpha_equals_scalar(raw, ns):
    rows = len(raw)
    n = np.array(ns[:rows])
    sums = np.stack([raw[g, : n[g]].sum(axis=0) for g in range(rows)])
    cross = np.stack([raw[g, : n[g]].T @ raw[g, : n[g]] for g in range(rows)])
    out = batch.cronbach_alpha_batch(n, sums, cross)
    for g in range(rows):
        assert_same(out.row(g), stats.cronbach_alpha_from_moments(int(n[g]), sums[g], cross[g]))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5).flatmap(lambda r: hnp.arrays(
    np.int64, (r, 13, 11), elements=st.one_of(st.just(0), st.integers(0, 4)))))
def test_spearman_equals_scalar(joints):
    out = batch.spearman_batch(GRID, V11, joints)
    for g, j in enumerate(joints):
        assert_same(out.row(g), stats.spearman_from_joint(GRID, V11, j))


series = st.integers(1, 6).flatmap(lambda r: hnp.arrays(
    float, (r, 8), elements=st.one_of(st.integers(0, 100).map(float),
                                       st.floats(0, 100, allow_subnormal=False))))
weights = hnp.arrays(float, 8, elements=st.integers(1, 500).map(float))


@settings(max_examples=150, deadline=None)
@given(series, weights, st.sampled_from([np.arange(8.0), np.array([0, 1, 2, 3, 4, 5, 7, 8.5])]))
def test_trends_equal_scalar(y, w, t):
    ww = np.broadcast_to(w, y.shape)
    wls = batch_trend.trend_wls_batch(t, y, ww)
    ts = batch_trend.theil_sen_batch(t, y)
    mk = batch_trend.mann_kendall_batch(y)
    for i, row in enumerate(y):
        assert_same(wls.row(i), stats.trend_wls(t, row, w))
        assert_same(ts.row(i), stats.theil_sen(t, row))
        assert_same(mk.row(i), stats.mann_kendall(row))


def test_too_few_waves_and_validation():
    assert batch_trend.trend_wls_batch([0, 1], [[1.0, 2.0]]).row(0) == stats.trend_wls(
        [0, 1], [1.0, 2.0])
    assert batch_trend.mann_kendall_batch([[1.0, 2.0, 3.0]]).row(0) == stats.mann_kendall(
        [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="counts"):
        batch.score_batch(V5, [[1, -1, 0, 0, 0]])
    with pytest.raises(ValueError, match="groups, K"):
        batch.score_batch(V5, [1, 2, 3, 4, 5])
    out = batch.score_batch(V5, [[1, 2, 3, 4, 5]])
    with pytest.raises(ValueError):
        out.estimate[0] = 0.0  # results are frozen
