"""How the quarterly report words its figures for people, in the request's language.

Gate and statistics reason codes, change labels, group names and the findings' sentences are
turned into text here and only here; numbers are rounded here too, never in the computation.
(The JSON API keeps ``attribute=value`` labels and the codes instead.)
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from reports.quarterly.build import Change
from reports.quarterly.findings import Finding

OTHER = "*"


def group_name(label: tuple[tuple[str, str], ...]) -> str:
    """A group as people name it: its values (``税務課 × 0-2年``), the whole organisation, or
    その他 for everyone in no shown group of a breakdown."""
    if label and all(value == OTHER for _name, value in label):
        return _("Other (groups too small to show)")
    return " × ".join(value for _name, value in label) or _("Whole organisation")


def reason_text(code: str | None) -> str:
    """Why a figure is hidden, from the gate's (or a statistic's) reason code."""
    return {
        "below_k": _("fewer answers than the minimum group size"),
        "complementary": _("hidden so that a smaller group cannot be worked out by subtraction"),
        "rolled_up": _("counted in the larger unit"),
        "membership_change": _("membership changed too much to compare"),
        "few_to_compare": _("too few answers in one of the rounds to compare a unit"),
        "too_few": _("too few answers to compute"),
        "too_few_for_test": _("too few answers to test"),
        "no_variance": _("all answers identical"),
        "empty": _("no answers"),
        "too_few_waves": _("too few rounds"),
        "too_few_waves_each_side": _("fewer than 3 rounds before or after"),
        "flat_series": _("the same figure in every round, so there is no trend to test"),
        "exact_fit": _("the rounds lie exactly on a line, so there is nothing to test against"),
        "missing_item": _("not asked"),
        "too_few_items": _("a scale needs at least two items"),
        "too_few_groups": _("too few groups to compare"),
        "no_p_value": _("no test available"),
    }.get(str(code), _("not shown"))


def verdict_word(change: Change | None) -> str:
    """The change's verdict in words ("significant change", "no meaningful change", …)."""
    if change is None:
        return _("no earlier round")
    if not change.shown:
        return _("not comparable: %(reason)s", reason=reason_text(change.gate.reason_code))
    if change.verdict is None:
        return _("too few answers to test")
    return {"change": _("significant change"), "no meaningful change": _("no meaningful change"),
            "no change detectable": _("no change detectable")}[change.verdict.verdict]


def _signed(value: float) -> str:
    return f"{value:+.0f}"


def _titles(codes: tuple[str, ...], title_of: Callable[[str], str]) -> str:
    return _(", ").join(_('"%(title)s"', title=title_of(c)) for c in codes)


def finding_text(finding: Finding, title_of: Callable[[str], str]) -> str:
    """The finding as one sentence in the current language (numbers rounded here)."""
    v = finding.values
    title = title_of(finding.codes[0]) if finding.codes else ""
    if finding.kind == "change":
        return _('"%(title)s": score %(before)s → %(after)s (%(diff)s pt, significant change); '
                 "favourable people (average ≥ 4) %(fav_before)s%% → %(fav_after)s%%.",
                 title=title, before=f"{v['before']:.0f}", after=f"{v['after']:.0f}",
                 diff=_signed(v["diff"]), fav_before=f"{v['fav_before']:.0f}",
                 fav_after=f"{v['fav_after']:.0f}")
    if finding.kind == "no_meaningful_change":
        return _('"%(title)s": %(diff)s pt since the previous quarter — no meaningful change '
                 "(below the practical size of %(threshold)s pt).", title=title,
                 diff=_signed(v["diff"]), threshold=f"{v['threshold']:.0f}")
    if finding.kind == "not_detectable":
        return _not_detectable(finding, title_of)
    if finding.kind == "too_few":
        return _("Too few responses to test for a change in %(titles)s.",
                 titles=_titles(finding.codes, title_of))
    if finding.kind == "group_change":
        return _('%(group)s: "%(title)s" moved %(diff)s pt since the previous quarter '
                 "(significant change).", group=group_name(v["group"]), title=title,
                 diff=_signed(v["diff"]))
    return _other_text(finding, title_of)


def _not_detectable(finding: Finding, title_of: Callable[[str], str]) -> str:
    v = finding.values
    titles = _titles(finding.codes, title_of)
    if v["mdd_low"] is None:
        return _("No change could be detected for %(titles)s.", titles=titles)
    low, high = f"{v['mdd_low']:.0f}", f"{v['mdd_high']:.0f}"
    size = low if low == high else f"{low}–{high}"
    return _("No change could be detected for %(titles)s: with this many responses only a "
             "difference of about %(mdd)s pt or more would be detectable.",
             titles=titles, mdd=size)


def _other_text(finding: Finding, title_of: Callable[[str], str]) -> str:
    v = finding.values
    if finding.kind == "participation":
        text = _("%(responded)s of %(invited)s staff answered this quarter's round (%(rate)s%%).",
                 responded=v["responded"], invited=v["invited"], rate=f"{100 * v['rate']:.0f}")
        if v["previous"] is not None:
            text += " " + _("The previous round: %(rate)s%%.", rate=f"{100 * v['previous']:.0f}")
        return text
    if finding.kind == "extremes":
        return _('Highest score this quarter: "%(high)s" (%(high_score)s); lowest: "%(low)s" '
                 "(%(low_score)s).", high=title_of(finding.codes[0]),
                 high_score=f"{v['high']:.0f}", low=title_of(finding.codes[1]),
                 low_score=f"{v['low']:.0f}")
    if finding.kind == "driver":
        return _('Of the principles, "%(title)s" is most closely linked to recommending this '
                 "workplace (%(share)s%% of the explained variance, R² = %(r2)s).",
                 title=title_of(finding.codes[0]), share=f"{v['share']:.0f}",
                 r2=f"{v['r2']:.2f}")
    raise ValueError(f"unknown finding kind {finding.kind!r}")
