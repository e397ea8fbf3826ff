"""Template filters shared by every page."""

from __future__ import annotations

import pytest

from survey.templating import signed


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (3.4, 0, "+3"), (-2.46, 1, "-2.5"), (-0.2, 0, "±0"), (0.04, 1, "±0.0"), (0.0, 0, "±0"),
])
def test_signed_never_shows_minus_zero(value: float, digits: int, expected: str) -> None:
    assert signed(value, digits) == expected
