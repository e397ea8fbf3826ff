"""reports.stats.power against statsmodels power classes."""

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from reports.stats import compare_waves, mdd_enps, mdd_proportion, mdd_score, pooled_sd

V5 = np.arange(1, 6.0)


@pytest.mark.parametrize(("n1", "n2"), [(30, 30), (120, 80), (2000, 2500)])
def test_mdd_score_matches_ttestindpower(n1, n2):
    # Reference: statsmodels TTestIndPower.solve_power (noncentral t), effect * SD.
    d = TTestIndPower().solve_power(None, nobs1=n1, alpha=0.05, power=0.8, ratio=n2 / n1)
    assert mdd_score(n1, n2, 20.0) == pytest.approx(20.0 * d, rel=1e-5)  # solver tol


@pytest.mark.parametrize("p", [0.3, 0.65, 0.95])
def test_mdd_proportion_matches_normalindpower(p):
    # Reference: statsmodels NormalIndPower (Cohen's h) mapped back to proportions.
    h = NormalIndPower().solve_power(None, nobs1=150, alpha=0.05, power=0.8, ratio=1.2)
    phi = np.arcsin(np.sqrt(p))
    ups = [np.sin(phi + s * h / 2) ** 2 - p for s in (1, -1) if 0 <= phi + s * h / 2 <= np.pi / 2]
    assert mdd_proportion(150, 180, p) == pytest.approx(100 * max(map(abs, ups)), rel=1e-6)


def test_mdd_enps_formula_and_validation():
    v = 0.4 + 0.2 - 0.04
    ref = 100 * (1.959963984540054 + 0.8416212335729143) * np.sqrt(v / 100 + v / 100)
    assert mdd_enps(100, 100, 0.4, 0.2) == pytest.approx(ref, rel=1e-12)
    with pytest.raises(ValueError, match=">= 2"):
        mdd_score(1, 10, 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        pooled_sd(10, -1.0, 10, 1.0)


def test_mdd_enps_uses_both_waves():
    # Same normal approximation with each wave's own multinomial variance (Rocks 2016),
    # i.e. the standard error of the Wald test the label comes from.
    v1, v2 = 0.4 + 0.2 - 0.04, 0.0 + 0.0 - 0.0
    ref = 100 * (1.959963984540054 + 0.8416212335729143) * np.sqrt(v1 / 80 + v2 / 120)
    assert mdd_enps(80, 120, 0.4, 0.2, later=(0.0, 0.0)) == pytest.approx(ref, rel=1e-12)


def test_pooled_sd_matches_statsmodels():
    # Reference: statsmodels CompareMeans.std_meandiff_pooledvar = s_p * sqrt(1/n1 + 1/n2).
    x1, x2 = np.repeat(V5, [3, 5, 9, 8, 5]), np.repeat(V5, [0, 2, 4, 20, 14])
    ref = CompareMeans(DescrStatsW(x1), DescrStatsW(x2)).std_meandiff_pooledvar
    got = pooled_sd(x1.size, x1.var(ddof=1), x2.size, x2.var(ddof=1))
    assert got * np.sqrt(1 / x1.size + 1 / x2.size) == pytest.approx(ref, rel=1e-12)


def test_mdd_with_an_all_four_earlier_wave_is_not_zero():
    # Earlier wave: 30 people all answering 4 (SD 0). Later wave: 25 people whose mean is
    # 9 score points higher. The earlier wave alone gave "MDD 0.0" beside a 9-point
    # difference; the pooled SD of both waves (statsmodels, as above) gives the honest MDD.
    earlier, later = np.array([0, 0, 0, 30, 0]), np.array([0, 1, 2, 9, 13])
    x1, x2 = np.repeat(V5, earlier), np.repeat(V5, later)
    assert 25 * (x2.mean() - x1.mean()) == pytest.approx(9.0)
    sp = CompareMeans(DescrStatsW(x1), DescrStatsW(x2)).std_meandiff_pooledvar \
        / np.sqrt(1 / 30 + 1 / 25)
    d = TTestIndPower().solve_power(None, nobs1=30, alpha=0.05, power=0.8, ratio=25 / 30)
    mdd = compare_waves("score", V5, earlier, V5, later).mdd
    assert mdd == pytest.approx(25 * sp * d, rel=1e-5)
    assert mdd > 9
