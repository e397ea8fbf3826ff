"""reports.aggregates: every figure from (summed) aggregates equals the raw computation."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as ss

from reports import aggregates as ag
from reports import stats

ITEMS = (
    ag.ItemSpec(1, "likert5", "Trust"), ag.ItemSpec(2, "likert5", "Trust", True),
    ag.ItemSpec(3, "likert5", "Trust"), ag.ItemSpec(4, "likert5", "Voice"),
    ag.ItemSpec(5, "likert5", "Voice", True), ag.ItemSpec(6, "nps11"),
)


def _raw(rng, n, skip=0.1):
    x = np.column_stack([rng.integers(1, 6, (n, 5)), rng.integers(0, 11, n)]).astype(float)
    x[rng.random(x.shape) < skip] = np.nan
    return x


def _direct(raw):
    """Figures computed straight from raw answers (no histograms, no moments).

    A figure that is undefined on this data (no answers, or a constant series for a rank
    correlation) is None here, as the statistics return None: computing it anyway would
    only produce NaN and a numpy/scipy warning, and a warning in the test run is a bug.
    """
    x = raw.copy()
    x[:, [1, 4]] = 6 - x[:, [1, 4]]
    out = {}
    for name, cols in (("Trust", [0, 1, 2]), ("Voice", [3, 4])):
        answered = (~np.isnan(x[:, cols])).sum(1)
        comp = np.full(len(x), np.nan)
        np.divide(np.nansum(x[:, cols], 1), answered, out=comp, where=answered > 0)
        c = comp[~np.isnan(comp)]
        out[name, "score"] = (c.mean() - 1) * 25 if c.size else None
        out[name, "fav"] = 100 * np.mean(c >= 4) if c.size else None
        ok = ~np.isnan(comp) & ~np.isnan(x[:, 5])
        varies = ok.sum() > 1 and np.ptp(comp[ok]) > 0 and np.ptp(x[ok, 5]) > 0
        out[name, "rho"] = ss.spearmanr(comp[ok], x[ok, 5]).statistic if varies else None
        out[name, "alpha"] = stats.cronbach_alpha(x[:, cols]).alpha
        out[name, "comp"] = comp
    nps = x[:, 5][~np.isnan(x[:, 5])]
    out["enps"] = 100 * (np.mean(nps >= 9) - np.mean(nps <= 6)) if nps.size else None
    return out


def _from_agg(agg):
    out = {}
    for p in agg.principles:
        out[p, "score"] = stats.score(*ag.histogram(agg, p)).estimate
        out[p, "fav"] = stats.favourability(*ag.histogram(agg, p)).estimate
        out[p, "rho"] = ag.driver(agg, p).rho
        out[p, "alpha"] = ag.alpha(agg, p).alpha
    out["enps"] = stats.enps(*ag.histogram(agg, 6)).estimate
    return out


def _check(agg, raw):
    d, a = _direct(raw), _from_agg(agg)
    for key, value in a.items():
        assert value == pytest.approx(d[key], abs=1e-9), key


def test_summed_cells_equal_raw_and_json_roundtrip():
    rng = np.random.default_rng(11)
    cells = [_raw(rng, n) for n in (40, 75, 120)]
    total = sum(ag.build_cell_aggregate(c, ITEMS) for c in cells)
    total = ag.CellAggregate.from_dict(json.loads(json.dumps(total.to_dict())))
    raw = np.vstack(cells)
    _check(total, raw)
    assert total.n_respondents == raw.shape[0]


def test_comparison_and_weights_equal_raw():
    rng = np.random.default_rng(12)
    r1, r2 = _raw(rng, 150), _raw(rng, 160)
    a1, a2 = ag.build_cell_aggregate(r1, ITEMS), ag.build_cell_aggregate(r2, ITEMS)
    c1, c2 = _direct(r1)["Trust", "comp"], _direct(r2)["Trust", "comp"]
    c1, c2 = c1[~np.isnan(c1)], c2[~np.isnan(c2)]
    cmp = ag.compare(a1, a2, "Trust")
    assert cmp.rank_test.p_value == pytest.approx(ss.brunnermunzel(c1, c2).pvalue, abs=1e-9)
    assert cmp.p_value == pytest.approx(ss.ttest_ind(c2, c1, equal_var=False).pvalue, abs=1e-9)
    comp = np.column_stack([_direct(r1)[p, "comp"] for p in ("Trust", "Voice")] + [r1[:, 5]])
    comp = comp[~np.isnan(comp).any(1)]
    corr = np.corrcoef(comp.T)
    ref = stats.relative_weights(corr)
    assert ag.driver_weights(a1).weights == pytest.approx(ref.weights, abs=1e-9)


def test_validation_and_degenerate():
    with pytest.raises(ValueError, match=r"whole numbers 1\.\.5"):
        ag.build_cell_aggregate(np.full((2, 6), 7.0), ITEMS)
    with pytest.raises(ValueError, match="shape"):
        ag.build_cell_aggregate(np.ones((2, 3)), ITEMS)
    empty = ag.build_cell_aggregate(np.full((3, 6), np.nan), ITEMS)
    assert ag.alpha(empty, "Trust").reason_code == "empty"
    assert not stats.score(*ag.histogram(empty, "Trust")).computable
    assert ag.driver(empty, "Voice").reason_code == "empty"
    a = ag.build_cell_aggregate(np.ones((3, 6)), ITEMS)
    with pytest.raises(ValueError, match="different questionnaires"):
        _ = a + ag.build_cell_aggregate(np.ones((3, 5)), ITEMS[:5])


answers = st.lists(st.tuples(*[st.one_of(st.none(), st.integers(1, 5))] * 5,
                             st.one_of(st.none(), st.integers(0, 10))), min_size=8, max_size=40)


@settings(max_examples=25, deadline=None)
@given(answers, st.integers(1, 4), st.randoms(use_true_random=False))
def test_property_aggregates_equal_raw_any_split_and_order(rows, parts, rnd):
    raw = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    order = list(range(len(rows)))
    rnd.shuffle(order)
    cuts = sorted(rnd.sample(range(1, len(rows)), parts - 1))
    cells = np.split(raw[order], cuts)
    total = sum(ag.build_cell_aggregate(c, ITEMS) for c in cells)
    d, a = _direct(raw), _from_agg(total)
    for key, value in a.items():
        if value is not None:  # None = not computable (n < 2, no variance): never NaN
            assert value == pytest.approx(d[key], abs=1e-9), key


def test_stack_pool_equals_sum_of_aggregates():
    rng = np.random.default_rng(11)
    cells = [ag.build_cell_aggregate(_raw(rng, n), ITEMS) for n in (0, 1, 7, 30, 12)]
    member = np.array([[1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [0, 0, 0, 0, 1]])
    pooled = ag.stack(cells).pool(member)
    for g, row in enumerate(member):
        want = sum((c for c, m in zip(cells, row, strict=True) if m), start=0)
        assert pooled.aggregate(g).to_dict() == want.to_dict()
        for key in ("Trust", 6):
            np.testing.assert_array_equal(pooled.histograms(key)[1][g], ag.histogram(want, key)[1])
    with pytest.raises(ValueError, match="membership"):
        ag.stack(cells).pool([[2, 0, 0, 0, 0]])


def test_a_measure_is_a_principle_or_an_item_and_the_gate_names_it() -> None:
    assert ag.Measure.of("Trust") == ag.Measure(principle="Trust")
    assert (ag.Measure.of("Trust").name, ag.Measure.of(6).name) == ("principle:Trust", "item:6")
    assert ag.Measure.of(6).is_item and not ag.Measure.of("Trust").is_item
    with pytest.raises(ValueError, match="either a principle or an item"):
        ag.Measure()
    with pytest.raises(ValueError, match="either a principle or an item"):
        ag.Measure(principle="Trust", item_id=6)
