"""Value types of the disclosure gate: cells, decisions, reason codes, and input checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

CellKey = tuple[tuple[str, str], ...]
Label = tuple[tuple[str, str], ...]
Breakdown = tuple[str, ...]

GENERALISED = "*"
MIN_K = 3
DEFAULT_K = 5
DEFAULT_K_COMMENTS = 10
MAX_BREAKDOWN_ATTRIBUTES = 2


class Status(StrEnum):
    """What a report may do with a group's figure."""

    SHOWN = "shown"
    SUPPRESSED = "suppressed"
    ROLLED_UP = "rolled_up"


class Reason(StrEnum):
    """Why a figure is shown or hidden; the UI translates by this code."""

    OK = "ok"
    BELOW_K = "below_k"
    COMPLEMENTARY = "complementary"
    ROLLED_UP = "rolled_up"
    MEMBERSHIP_CHANGE = "membership_change"
    NOT_IN_BOTH = "not_in_both"
    FEW_TO_COMPARE = "few_to_compare"  # a unit's change seen by its head: fewer than 2k answers


@dataclass(frozen=True)
class Cell:
    """One stored, generalised cell of a wave.

    ``key`` holds every roster group attribute as sorted ``(attribute, value)`` pairs;
    the value ``"*"`` means the attribute was generalised away when the wave opened.
    """

    key: CellKey
    invited: int
    responses: int


@dataclass(frozen=True)
class GroupDecision:
    """The gate's verdict on one group of one breakdown.

    ``n`` and ``invited`` are ``None`` unless the group is shown, so a template cannot
    print a hidden figure by accident; ``invited`` is filled only by response-rate
    decisions, because only those were checked for invited counts.
    """

    label: Label
    cells: tuple[CellKey, ...]
    status: Status
    reason_code: Reason
    reason: str
    n: int | None = None
    invited: int | None = None
    rolled_into: Label | None = None
    includes: tuple[Label, ...] = ()

    @property
    def shown(self) -> bool:
        """True when the figure may be published."""
        return self.status is Status.SHOWN

    @property
    def rate(self) -> float | None:
        """Response rate, only when both counts passed the gate."""
        if self.n is None or not self.invited:
            return None
        return self.n / self.invited


@dataclass(frozen=True)
class CommentGroup:
    """Free-text answers of one group: shuffled, undated, or withheld with a reason."""

    label: Label
    cells: tuple[CellKey, ...]
    status: Status
    reason_code: Reason
    reason: str
    comments: tuple[str, ...] = ()
    rolled_into: Label | None = None
    includes: tuple[Label, ...] = ()

    @property
    def shown(self) -> bool:
        """True when the comments may be published."""
        return self.status is Status.SHOWN


@dataclass(frozen=True)
class Coverage:
    """How much of a shown total one breakdown's shown groups place.

    ``covered`` counts the respondents (or answers) in at least one shown group, ``total``
    the organisation's; the rest are in groups too small to show.  ``remainder`` is the
    decision on the その他 group (everyone else), shown only when it clears the gate.
    """

    breakdown: tuple[str, ...]
    covered: int
    total: int
    remainder: GroupDecision | None = None

    @property
    def partial(self) -> bool:
        """True when some respondents are in no shown group."""
        return self.covered < self.total

    @property
    def outside(self) -> int:
        """Respondents in no shown group."""
        return self.total - self.covered


@dataclass(frozen=True)
class ReachWarning:
    """A planned breakdown (or some of its groups) that can never be shown."""

    breakdown: Breakdown
    code: str
    message: str
    labels: tuple[Label, ...] = ()


def check_thresholds(k: int, k_comments: int) -> None:
    """Refuse thresholds that would make small groups visible."""
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"k must be an integer >= {MIN_K}, got {k!r}")
    if isinstance(k_comments, bool) or not isinstance(k_comments, int) or k_comments < k:
        raise ValueError(f"k_comments must be an integer >= k ({k}), got {k_comments!r}")


def check_cells(
    cells: Sequence[Cell], attributes: Sequence[str], hierarchy: Sequence[str],
    extra: Sequence[str] = (),
) -> None:
    """Refuse malformed cells: a gate that guesses would also guess wrong about k.

    ``extra`` names cell attributes that are not breakdowns of their own (concurrent posts).
    """
    if len(set(attributes)) != len(attributes):
        raise ValueError(f"attributes repeat: {list(attributes)}")
    if GENERALISED in attributes:
        raise ValueError("'*' cannot be an attribute name")
    missing = [a for a in hierarchy if a not in attributes]
    if missing or len(set(hierarchy)) != len(hierarchy):
        raise ValueError(f"hierarchy {list(hierarchy)} must be distinct attributes")
    wanted = sorted([*attributes, *extra])
    seen: set[CellKey] = set()
    for cell in cells:
        _check_cell(cell, wanted, hierarchy)
        if cell.key in seen:
            raise ValueError(f"cell {cell.key} appears twice")
        seen.add(cell.key)


def _check_cell(cell: Cell, wanted: list[str], hierarchy: Sequence[str]) -> None:
    if [a for a, _ in cell.key] != wanted:
        raise ValueError(f"cell key {cell.key} must list exactly {wanted}, sorted")
    if not 0 <= cell.responses <= cell.invited:
        raise ValueError(f"cell {cell.key}: need 0 <= responses <= invited")
    values = dict(cell.key)
    path = [values[a] for a in hierarchy]
    if GENERALISED in path and any(v != GENERALISED for v in path[path.index(GENERALISED):]):
        raise ValueError(f"cell {cell.key}: a unit below a generalised unit must be '*'")


def check_measure(name: str, answered: dict[CellKey, int], cells: Iterable[Cell]) -> None:
    """Answers per cell must be a part of that cell's responses."""
    responses = {c.key: c.responses for c in cells}
    for key, count in answered.items():
        if key not in responses:
            raise ValueError(f"measure {name!r}: unknown cell {key}")
        if not 0 <= count <= responses[key]:
            raise ValueError(f"measure {name!r}: cell {key} needs 0 <= answered <= responses")
