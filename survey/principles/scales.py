"""Answer labels of each scale, in both languages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FREQUENCY = (
    _l("Never"), _l("Rarely"), _l("Sometimes"), _l("Often"), _l("Always"),
)
AGREEMENT = (
    _l("Disagree"), _l("Somewhat disagree"), _l("Neither"), _l("Somewhat agree"), _l("Agree"),
)
NPS_ENDS = (_l("Not at all likely"), _l("Extremely likely"))


def likert_labels(scale: str) -> tuple[str, ...]:
    """The five labels for a likert item's scale ('frequency' or 'agreement')."""
    return AGREEMENT if scale == "agreement" else FREQUENCY
