"""Rules of the disclosure gate, each pinned by a small organisation worked out by hand."""

from __future__ import annotations

import random
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.disclosure import (
    GENERALISED,
    Cell,
    GroupDecision,
    Reason,
    Status,
    comparable,
    comparable_within_unit,
    plan,
)


def dept_cells(counts: dict[str, int], extra: int = 2) -> list[Cell]:
    return [Cell((("dept", d),), n + extra, n) for d, n in counts.items()]


def cross_cells(counts: dict[tuple[str, str], int]) -> list[Cell]:
    return [Cell((("dept", d), ("tenure", t)), n + 1, n) for (d, t), n in counts.items()]


def unit_cells(counts: dict[tuple[str, str], int]) -> list[Cell]:
    return [Cell((("課", ka), ("部", bu)), n, n) for (bu, ka), n in counts.items()]


def by_label(decisions: list[GroupDecision]) -> dict[tuple, GroupDecision]:
    return {tuple(v for _, v in d.label): d for d in decisions}


# -- thresholds -----------------------------------------------------------------------------

@pytest.mark.parametrize("k", [2, 0, -1])
def test_k_below_three_is_refused(k):
    with pytest.raises(ValueError, match="k must be"):
        plan(dept_cells({"A": 9}), ["dept"], [], k)


def test_k_comments_below_k_is_refused():
    with pytest.raises(ValueError, match="k_comments"):
        plan(dept_cells({"A": 9}), ["dept"], [], 6, k_comments=5)


def test_defaults_are_five_and_ten():
    gate = plan(dept_cells({"A": 9}), ["dept"])
    assert (gate.k, gate.k_comments) == (5, 10)


# -- primary and complementary suppression --------------------------------------------------

def test_group_below_k_is_suppressed_not_zero():
    groups = by_label(plan(dept_cells({"A": 6, "B": 7, "C": 4}), ["dept"], [], 5).groups(("dept",)))
    hidden = groups[("C",)]
    assert (hidden.status, hidden.reason_code) == (Status.SUPPRESSED, Reason.BELOW_K)
    assert hidden.n is None
    assert hidden.reason == "fewer than 5 responses"


def test_sibling_is_suppressed_when_total_minus_siblings_recovers_a_small_group():
    """Total 17 - A 6 - B 7 = C 4: hiding C alone is not enough; the smaller sibling A goes."""
    gate = plan(dept_cells({"A": 6, "B": 7, "C": 4}), ["dept"], [], 5)
    groups = by_label(gate.groups(("dept",)))
    assert groups[("A",)].reason_code is Reason.COMPLEMENTARY
    assert groups[("A",)].status is Status.SUPPRESSED
    assert groups[("B",)].n == 7
    assert gate.groups(())[0].n == 17


def test_generalised_residual_counts_in_the_check():
    """Cells generalised to '*' are never shown, yet total - A - B would expose them."""
    cells = [*dept_cells({"A": 6, "B": 7}), Cell((("dept", GENERALISED),), 3, 2)]
    groups = plan(cells, ["dept"], [], 5).groups(("dept",))
    assert [g.label for g in groups] == [(("dept", "A"),), (("dept", "B"),)]
    assert [g.status for g in groups] == [Status.SUPPRESSED, Status.SHOWN]


def test_cross_breakdown_cannot_leak_through_marginals():
    """A = 4 in T1 + 1 in T2; T2 - (B, T2) would isolate the one person in (A, T2)."""
    gate = plan(cross_cells({("A", "T1"): 4, ("A", "T2"): 1, ("B", "T1"): 5, ("B", "T2"): 5}),
                ["dept", "tenure"], [], 5)
    cross = by_label(gate.groups(("dept", "tenure")))
    tenure = by_label(gate.groups(("tenure",)))
    assert cross[("A", "T2")].reason_code is Reason.BELOW_K
    assert not (tenure[("T2",)].shown and cross[("B", "T2")].shown)
    assert not (tenure[("T1",)].shown and cross[("B", "T1")].shown)
    assert by_label(gate.groups(("dept",)))[("A",)].n == 5


def test_breakdown_order_does_not_matter():
    gate = plan(cross_cells({("A", "T1"): 6, ("B", "T2"): 6}), ["dept", "tenure"], [], 5)
    assert gate.groups(("tenure", "dept")) == gate.groups(("dept", "tenure"))


def test_input_order_does_not_change_the_decisions():
    cells = cross_cells({("A", "T1"): 4, ("A", "T2"): 6, ("B", "T1"): 2, ("B", "T2"): 9})
    shuffled = random.Random(1).sample(cells, len(cells))
    first = plan(cells, ["dept", "tenure"], [], 5)
    second = plan(shuffled, ["dept", "tenure"], [], 5)
    assert all(first.groups(b) == second.groups(b) for b in first.breakdowns)


def test_organisation_below_k_shows_nothing():
    gate = plan(dept_cells({"A": 2, "B": 2}), ["dept"], [], 5)
    assert not any(g.shown for b in gate.breakdowns for g in gate.groups(b))


@pytest.mark.parametrize("breakdown", [("dept", "dept"), ("nope",), ("a", "b", "c")])
def test_unplanned_breakdowns_are_refused(breakdown):
    cells = [Cell((("a", "1"), ("b", "1"), ("c", "1"), ("dept", "A")), 9, 9)]
    with pytest.raises(ValueError, match="breakdown"):
        plan(cells, ["dept", "a", "b", "c"], [], 5).groups(breakdown)


# -- hierarchy roll-up ----------------------------------------------------------------------

def test_small_units_roll_up_into_their_parent():
    gate = plan(unit_cells({("X", "a"): 10, ("X", "b"): 3, ("X", "c"): 3, ("Y", "d"): 8}),
                ["部", "課"], ["部", "課"], 5)
    groups = by_label(gate.groups(("課",)))
    assert groups[("X", "a")].n == 10
    for small in [("X", "b"), ("X", "c")]:
        assert groups[small].status is Status.ROLLED_UP
        assert groups[small].reason_code is Reason.ROLLED_UP
        assert groups[small].rolled_into == (("部", "X"),)
    parent = groups[("X",)]
    assert (parent.status, parent.n) == (Status.SHOWN, 16)
    assert parent.includes == ((("部", "X"), ("課", "b")), (("部", "X"), ("課", "c")))
    assert parent.reason == "includes X / b, X / c which are below k"


def test_sibling_rolls_up_too_when_the_rest_of_the_parent_is_below_k():
    """X - a = 3 people: a must join the roll-up, or X minus a exposes b and c."""
    gate = plan(unit_cells({("X", "a"): 10, ("X", "b"): 2, ("X", "c"): 1, ("Y", "d"): 8}),
                ["部", "課"], ["部", "課"], 5)
    groups = by_label(gate.groups(("課",)))
    assert groups[("X", "a")].status is Status.ROLLED_UP
    assert groups[("X", "a")].reason_code is Reason.COMPLEMENTARY
    assert groups[("X",)].includes[0] == (("部", "X"), ("課", "a"))


def test_generalised_units_appear_in_their_parent():
    cells = [*unit_cells({("X", "a"): 9}), Cell((("課", GENERALISED), ("部", "X")), 6, 6)]
    groups = by_label(plan(cells, ["部", "課"], ["部", "課"], 5).groups(("課",)))
    assert groups[("X", "a")].shown
    assert groups[("X",)].n == 15


def test_top_unit_below_k_is_suppressed_not_rolled():
    gate = plan(unit_cells({("X", "a"): 6, ("X", "b"): 7, ("Y", "c"): 2, ("Z", "d"): 9}),
                ["部", "課"], ["部", "課"], 5)
    small = by_label(gate.groups(("課",)))[("Y", "c")]
    assert (small.status, small.rolled_into) == (Status.SUPPRESSED, None)


def test_a_unit_below_a_generalised_unit_is_refused():
    with pytest.raises(ValueError, match="generalised"):
        plan([Cell((("課", "a"), ("部", GENERALISED)), 9, 9)], ["部", "課"], ["部", "課"])


# -- measures and response rates ------------------------------------------------------------

def test_a_measure_with_few_answers_is_suppressed_with_a_sibling():
    cells = dept_cells({"A": 6, "B": 7, "C": 8})
    answered = {cells[0].key: 6, cells[1].key: 7, cells[2].key: 4}
    gate = plan(cells, ["dept"], [], 5, measure_counts={"q1": answered})
    counts = by_label(gate.groups(("dept",)))
    q1 = by_label(gate.groups(("dept",), "q1"))
    assert all(g.shown for g in counts.values())
    assert q1[("C",)].reason == "fewer than 5 answers"
    assert q1[("A",)].reason_code is Reason.COMPLEMENTARY
    assert q1[("B",)].n == 7
    assert gate.measures == ["q1"]


def test_answers_above_responses_are_refused():
    cells = dept_cells({"A": 6})
    with pytest.raises(ValueError, match="answered"):
        plan(cells, ["dept"], [], 5, measure_counts={"q1": {cells[0].key: 7}})


def test_response_rate_needs_both_counts_to_pass():
    cells = [Cell((("dept", "A"),), 12, 6), Cell((("dept", "B"),), 10, 10),
             Cell((("dept", "C"),), 9, 3)]
    gate = plan(cells, ["dept"], [], 5)
    rates = by_label(gate.response_rates(("dept",)))
    assert rates[("C",)].rate is None
    assert rates[("A",)].rate is None and rates[("A",)].reason_code is Reason.COMPLEMENTARY
    assert (rates[("B",)].invited, rates[("B",)].rate) == (10, 1.0)
    assert all(g.invited is None for g in gate.groups(("dept",)))


def test_responses_above_invited_are_refused():
    with pytest.raises(ValueError, match="responses"):
        plan([Cell((("dept", "A"),), 4, 5)], ["dept"])


# -- comments -------------------------------------------------------------------------------

def test_comments_need_k_comments_responses():
    cells = dept_cells({"A": 9, "B": 11, "C": 12})
    texts = {c.key: [f"{c.key[0][1]}-{i}" for i in range(3)] for c in cells}
    gate = plan(cells, ["dept"], [], 5)
    comments = by_label(gate.comments(("dept",), texts))
    assert comments[("A",)].comments == () and comments[("A",)].reason_code is Reason.BELOW_K
    assert comments[("B",)].reason_code is Reason.COMPLEMENTARY
    assert sorted(comments[("C",)].comments) == ["C-0", "C-1", "C-2"]
    assert by_label(gate.groups(("dept",)))[("A",)].n == 9


def test_comments_are_shuffled():
    cell = Cell((("dept", "A"),), 40, 40)
    texts = [f"comment {i}" for i in range(12)]
    gate = plan([cell], ["dept"], [], 5)
    orders = {gate.comments((), {cell.key: texts})[0].comments for _ in range(10)}
    assert all(sorted(o) == sorted(texts) for o in orders)
    assert len(orders) > 1


# -- warnings -------------------------------------------------------------------------------

def test_breakdown_that_can_never_reach_k_is_warned():
    cells = [Cell((("dept", "A"), ("role", r)), 4, 4) for r in "xyz"]
    warnings = plan(cells, ["dept", "role"], [], 5).warnings([("role",), ("dept",)])
    assert [(w.breakdown, w.code) for w in warnings] == [(("role",), "never_reaches_k")]
    assert len(warnings[0].labels) == 3


def test_some_groups_that_can_never_reach_k_are_listed():
    cells = [Cell((("dept", "A"),), 9, 1), Cell((("dept", "B"),), 3, 3)]
    warnings = plan(cells, ["dept"], [], 5).warnings()
    assert [(w.code, w.labels) for w in warnings] == [("groups_never_reach_k", ((("dept", "B"),),))]


# -- between waves --------------------------------------------------------------------------

def shown(n: int) -> GroupDecision:
    return GroupDecision((("dept", "A"),), (), Status.SHOWN, Reason.OK, "shown", n)


@pytest.mark.parametrize("n1, n2, joined, left, ok", [
    (6, 6, 0, 0, True),      # same people: gate in both waves is enough
    (9, 12, 1, 0, False),    # one joiner, a wave under 2k
    (10, 10, 1, 0, True),    # one joiner among at least 2k
    (10, 11, 2, 2, True),
    (6, 7, 3, 2, True),      # joined + left >= k: the movers are a group of k themselves
    (9, 20, 0, 4, False),
])
def test_between_wave_rule(n1, n2, joined, left, ok):
    result = comparable(shown(n1), shown(n2), joined, left, 5)
    assert result.shown is ok
    assert result.reason_code is (Reason.OK if ok else Reason.MEMBERSHIP_CHANGE)


def test_no_change_for_a_group_hidden_in_either_wave():
    hidden = GroupDecision((("dept", "A"),), (), Status.SUPPRESSED, Reason.BELOW_K, "x")
    assert not comparable(shown(30), hidden, 0, 0, 5).shown
    assert not comparable(hidden, shown(30), 0, 0, 5).shown


def test_between_wave_inputs_are_checked():
    other = GroupDecision((("dept", "B"),), (), Status.SHOWN, Reason.OK, "shown", 9)
    with pytest.raises(ValueError, match="compare"):
        comparable(shown(9), other, 0, 0, 5)
    with pytest.raises(ValueError, match="joined"):
        comparable(shown(9), shown(9), -1, 0, 5)


@pytest.mark.parametrize("n1, n2, ok", [
    (6, 6, False),    # the roster says nobody moved, but the unit head may know who was away
    (9, 12, False),
    (10, 10, True),   # at least 2k in both waves
    (30, 10, True),
])
def test_a_unit_head_s_change_always_takes_the_strict_branch(n1, n2, ok):
    result = comparable_within_unit(shown(n1), shown(n2), 5)
    assert result.shown is ok
    assert result.reason_code is (Reason.OK if ok else Reason.FEW_TO_COMPARE)
    hidden = GroupDecision((("dept", "A"),), (), Status.SUPPRESSED, Reason.BELOW_K, "x")
    assert not comparable_within_unit(hidden, shown(30), 5).shown
    with pytest.raises(ValueError, match="compare"):
        comparable_within_unit(shown(30), GroupDecision((("dept", "B"),), (), Status.SHOWN,
                                                        Reason.OK, "shown", 30), 5)


# -- exact shortcut for measures, rates and comments -----------------------------------------

def _random_org(rng: random.Random, answers_high: int):
    depts, bands = ["A", "B", "C", "D"][: rng.randint(1, 4)], ["x", "y", "z"][: rng.randint(1, 3)]
    cells, measures = [], {}
    for d in depts:
        for t in bands:
            n = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20])
            cells.append(Cell((("dept", d), ("tenure", t)), n + rng.randint(0, 3), n))
    for name in ("q1", "q2", "q3"):
        measures[name] = {c.key: min(c.responses, rng.randint(0, answers_high)) if
                          rng.random() < 0.3 else c.responses for c in cells}
    return cells, measures


def _decisions(gate, measures):
    out = {}
    for breakdown in gate.breakdowns:
        out[breakdown, None] = gate.groups(breakdown)
        out[breakdown, "rates"] = gate.response_rates(breakdown)
        out[breakdown, "comments"] = [(c.label, c.status, c.reason_code)
                                      for c in gate.comments(breakdown, {})]
        for name in measures:
            out[breakdown, name] = gate.groups(breakdown, name)
    return out


@settings(max_examples=120, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from([3, 8, 30]), st.sampled_from([3, 5]))
def test_shortcut_plan_equals_full_solver(rng, answers_high, k):
    # Reference: the same plan with the shortcut disabled (every figure solved greedily).
    from reports.disclosure import _plan

    cells, measures = _random_org(rng, answers_high)
    fast = plan(cells, ["dept", "tenure"], [], k, measure_counts=measures, k_comments=k + 2)
    with mock.patch.object(_plan, "atoms_hold", lambda *_a: False):
        full = plan(cells, ["dept", "tenure"], [], k, measure_counts=measures,
                    k_comments=k + 2)
    assert _decisions(fast, measures) == _decisions(full, measures)


def test_shortcut_applies_only_when_atoms_hold():
    import numpy as np

    from reports.disclosure import _plan

    cells = dept_cells({"A": 6, "B": 7, "C": 8})
    gate = plan(cells, ["dept"], [], 5)
    counts = gate._verdicts["counts"]
    masks = np.vstack([np.ones((1, 3), dtype=bool), np.eye(3, dtype=bool)])  # total, A, B, C
    problem = _plan.Problem(masks, np.array([0, 1, 1, 1], dtype=np.intp))
    same = _plan._solve_within(problem, [np.array([6, 0, 8])], 5, counts, "answers")
    assert same.atoms is None  # shortcut taken: no solver run, hence no atoms
    assert same.reasons == (Reason.OK, Reason.OK, Reason.BELOW_K, Reason.OK)
    solved = _plan._solve_within(problem, [np.array([6, 7, 4])], 5, counts, "answers")
    assert solved.atoms is not None
