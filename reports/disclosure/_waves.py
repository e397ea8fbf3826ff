"""Between-wave comparisons: a change is shown only when neither wave can single anyone out."""

from __future__ import annotations

from dataclasses import dataclass

from ._model import MIN_K, GroupDecision, Reason, Status


@dataclass(frozen=True)
class ChangeGate:
    """Whether the change of one group between two waves may be shown, and why."""

    status: Status
    reason_code: Reason
    reason: str

    @property
    def shown(self) -> bool:
        """True when the change may be published."""
        return self.status is Status.SHOWN


def comparable(earlier: GroupDecision, later: GroupDecision, joined: int, left: int,
               k: int) -> ChangeGate:
    """May the change of one group from ``earlier`` to ``later`` be shown?

    Rule: the group must be shown (passed the gate) in both waves. If its membership
    changed by fewer than k people (0 < joined + left < k), both waves also need at
    least 2k responses.

    Why: waves are anonymous and independent, so a change is never an exact
    subtraction; but in a small group whose other members answer much as before, the
    change is driven by the few who joined or left, and the waves' published figures
    could be read as theirs. With at least 2k responses in each wave, the joiners and
    leavers are fewer than a half of either wave and at least k + 1 stayers' own
    changes are mixed into the difference. A change of k or more people is itself a
    group of at least k. Pass the larger of the two waves' k.
    """
    if earlier.label != later.label:
        raise ValueError(f"cannot compare {earlier.label} with {later.label}")
    if min(joined, left) < 0:
        raise ValueError("joined and left must be >= 0")
    if k < MIN_K:
        raise ValueError(f"k must be >= {MIN_K}, got {k}")
    if not (earlier.shown and later.shown):
        return ChangeGate(Status.SUPPRESSED, Reason.BELOW_K,
                          "the group is not shown in both waves")
    moved = joined + left
    if 0 < moved < k and min(earlier.n or 0, later.n or 0) < 2 * k:
        return ChangeGate(Status.SUPPRESSED, Reason.MEMBERSHIP_CHANGE,
                          f"{moved} people joined or left and a wave has fewer than "
                          f"{2 * k} responses, so the change could reflect them alone")
    return ChangeGate(Status.SHOWN, Reason.OK, "shown")


def comparable_within_unit(earlier: GroupDecision, later: GroupDecision, k: int) -> ChangeGate:
    """May a unit head see the change of their unit from ``earlier`` to ``later``?

    Rule (docs/anonymity.md rule 10): the group must be shown in both waves *and* both waves
    must have at least 2k responses, whatever the roster says about joiners and leavers.

    Why: a unit head knows who was on leave in one wave and back in the next, which the
    roster's joined/left counts (and so :func:`comparable`) cannot see.  Treating every unit
    change as one where people moved keeps the movers a minority of either wave and mixes at
    least k + 1 other people's changes into the difference.
    """
    if earlier.label != later.label:
        raise ValueError(f"cannot compare {earlier.label} with {later.label}")
    if k < MIN_K:
        raise ValueError(f"k must be >= {MIN_K}, got {k}")
    if not (earlier.shown and later.shown):
        return ChangeGate(Status.SUPPRESSED, Reason.BELOW_K, "the group is not shown in both waves")
    if min(earlier.n or 0, later.n or 0) < 2 * k:
        return ChangeGate(Status.SUPPRESSED, Reason.FEW_TO_COMPARE,
                          f"a wave has fewer than {2 * k} responses; the unit's head may know "
                          "who was away, so the change could reflect them alone")
    return ChangeGate(Status.SHOWN, Reason.OK, "shown")
