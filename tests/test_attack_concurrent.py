"""Differencing attack on overlapping groups: concurrent posts (兼務) counted in two units.

When a wave counts concurrent posts, a person's answer is in their main unit's figure and in
each concurrent unit's, so unit groups overlap and the organisation total no longer equals
the sum of the units.  Overlaps open new subtractions: unit A + unit B - total is exactly the
people in both.  The attacker of ``test_attack_differencing`` (exact linear algebra over every
shown group) must find no set of 1..k-1 people among overlapping groups either.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.disclosure import GENERALISED, Cell, plan
from survey.waves.design import CONCURRENT
from tests.test_attack_differencing import _leaks

ATTRIBUTES = ("部", "課")
UNITS = (("A", "A1"), ("A", "A2"), ("B", "B1"), ("B", "B2"))


def _key(main: tuple[str, str], posts: tuple[tuple[str, str], ...]) -> tuple:
    post = json.dumps(sorted(list(p) for p in posts), ensure_ascii=False) if posts \
        else GENERALISED
    return tuple(sorted([("部", main[0]), ("課", main[1]), (CONCURRENT, post)]))


def _naive_overlapping(cells: list[Cell], k: int) -> list[list]:
    """Every unit group of at least k, concurrent members counted, and the total."""

    class Shown:
        def __init__(self, keys):
            self.cells, self.shown = keys, True

    def members(unit: tuple[str, ...]) -> tuple:
        out = []
        for cell in cells:
            values = dict(cell.key)
            paths = [(values["部"], values["課"])]
            if values[CONCURRENT] != GENERALISED:
                paths += [tuple(p) for p in json.loads(values[CONCURRENT])]
            if any(p[:len(unit)] == unit for p in paths):
                out.append(cell)
        return tuple(out)

    groups = [members(u) for u in {u[:d] for u in UNITS for d in (1, 2)}]
    seen = [[Shown(tuple(c.key for c in cells))]]
    seen.append([Shown(tuple(c.key for c in g)) for g in groups
                 if sum(c.responses for c in g) >= k])
    return seen


OVERLAP = [Cell(_key(("A", "A1"), ()), 7, 6), Cell(_key(("A", "A1"), (("B", "B1"),)), 1, 1),
           Cell(_key(("B", "B1"), ()), 7, 6)]


def test_a_naive_gate_gives_away_the_person_in_both_units() -> None:
    """A1 (7) + B1 (7) - total (13) = the one person with a post in both."""
    weights = [c.responses for c in OVERLAP]
    assert frozenset({1}) in _leaks(OVERLAP, _naive_overlapping(OVERLAP, 5), weights, 5)


def test_the_gate_closes_the_overlap() -> None:
    gate = plan(OVERLAP, ATTRIBUTES, ATTRIBUTES, 5, concurrent=CONCURRENT)
    seen = [gate.groups(b) for b in gate.breakdowns]
    assert _leaks(OVERLAP, seen, [c.responses for c in OVERLAP], 5) == []
    assert gate.groups(())[0].n == 13


@st.composite
def overlapping(draw):
    keys = set()
    for _ in range(draw(st.integers(1, 8))):
        main = draw(st.sampled_from(UNITS))
        posts = tuple(sorted(set(draw(st.lists(st.sampled_from(UNITS), max_size=2)))
                             - {main}))
        keys.add(_key(main, posts))
    cells = []
    for key in sorted(keys):
        responses = draw(st.integers(0, 9))
        cells.append(Cell(key, responses + draw(st.integers(0, 3)), responses))
    return cells, draw(st.integers(3, 5))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overlapping())
def test_no_combination_of_overlapping_groups_isolates_fewer_than_k(org) -> None:
    cells, k = org
    gate = plan(cells, ATTRIBUTES, ATTRIBUTES, k, concurrent=CONCURRENT)
    seen = [gate.groups(b) for b in gate.breakdowns]
    assert _leaks(cells, seen, [c.responses for c in cells], k) == []
    rates = [gate.response_rates(b) for b in gate.breakdowns]
    assert _leaks(cells, rates, [c.invited for c in cells], k) == []


def test_overlapping_groups_are_really_offered() -> None:
    """The concurrent member is in both units' groups when k allows it."""
    cells = [Cell(_key(("A", "A1"), ()), 9, 9), Cell(_key(("A", "A1"), (("B", "B1"),)), 6, 6),
             Cell(_key(("B", "B1"), ()), 9, 9)]
    gate = plan(cells, ATTRIBUTES, ATTRIBUTES, 5, concurrent=CONCURRENT)
    shown = {d.label: d.n for d in gate.groups(("課",)) if d.shown}
    assert shown[(("部", "B"), ("課", "B1"))] == 15 and shown[(("部", "A"), ("課", "A1"))] == 15
