"""reports.stats.smallgroups against statsmodels meta-analysis (DerSimonian-Laird tau^2)."""

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from reports.stats import eb_shrinkage


def test_tau2_matches_statsmodels_dl_and_shrinks():
    # Reference: statsmodels combine_effects(method_re="dl").tau2.
    y = np.array([55.0, 62.0, 70.0, 48.0, 66.0, 59.0])
    v = np.array([4.0, 9.0, 2.5, 16.0, 6.0, 3.0])
    ref = combine_effects(y, v, method_re="dl")
    r = eb_shrinkage(y, v, target=60.0)
    assert r.tau2 == pytest.approx(ref.tau2, abs=1e-9)
    theta = np.array(r.estimates)
    assert np.all(np.abs(theta - 60) <= np.abs(y - 60) + 1e-12)
    b = v / (v + ref.tau2)
    assert theta == pytest.approx(b * 60 + (1 - b) * y, abs=1e-12)


def test_not_computable_and_validation():
    assert eb_shrinkage([1.0, 2.0], [1.0, 1.0]).reason_code == "too_few_groups"
    with pytest.raises(ValueError, match="positive"):
        eb_shrinkage([1.0, 2.0, 3.0], [1.0, 0.0, 1.0])
