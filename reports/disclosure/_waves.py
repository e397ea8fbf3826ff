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
