"""reports.stats.power against statsmodels power classes."""

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from reports.stats import mdd_enps, mdd_proportion, mdd_score


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
