"""Unit-first generalisation into stored cells of at least k invitees (pure, no app)."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.waves.cells import GENERALISED, cell_key, fold_units, generalise, generalise_with_folds
from tests.orgs import town_halls

HIERARCHY = ("部", "課", "係")


def person(部: str, 課: str, 係: str, tenure: str, role: str = "一般") -> dict[str, str]:
    return {"部": 部, "課": 課, "係": 係, "tenure_band": tenure, "role": role}


def test_cell_key_is_sorted_and_marks_missing_values() -> None:
    key = cell_key({"課": "税務課", "部": ""}, ["課", "部", "係"])
    assert key == (("係", GENERALISED), ("課", "税務課"), ("部", GENERALISED))


def test_large_enough_cells_are_kept_as_they_are() -> None:
    people = [person("総務部", "税務課", "課税係", "0-2年")] * 5 + \
             [person("総務部", "住民課", "窓口係", "0-2年")] * 5
    keys = generalise(people, HIERARCHY, ["tenure_band"], k=5)
    assert keys == [cell_key(p, [*HIERARCHY, "tenure_band"]) for p in people]


def test_attributes_not_chosen_are_never_stored() -> None:
    keys = generalise([person("総務部", "税務課", "課税係", "0-2年")] * 5, HIERARCHY, [], k=5)
    assert {name for name, _ in keys[0]} == set(HIERARCHY)


def test_a_small_section_rolls_up_into_its_section_chief_s_unit() -> None:
    people = ([person("総務部", "税務課", "課税係", "0-2年")] * 6
              + [person("総務部", "税務課", "収納係", "0-2年")] * 2
              + [person("総務部", "税務課", "庶務係", "0-2年")] * 3)
    keys = generalise(people, HIERARCHY, [], k=5)
    assert dict(keys[-1]) == {"部": "総務部", "課": "税務課", "係": GENERALISED}
    assert dict(keys[0])["係"] == "課税係"
    assert min(Counter(keys).values()) >= 5


def test_secondary_attributes_give_way_before_any_unit() -> None:
    """A town hall unit of 14: one 課長, three 係長, ten 一般 across tenure bands.

    Before, role and tenure were kept and the unit went to '*' for most people; now the unit
    keeps all 14 and only role/tenure detail is generalised."""
    unit = ([person("総務部", "税務課", "", "15年以上", "課長")]
            + [person("総務部", "税務課", "", "5-14年", "係長")] * 3
            + [person("総務部", "税務課", "", band, "一般")
               for band in ("0-4年",) * 6 + ("5-14年",) * 4])
    keys = generalise(unit, HIERARCHY, ["role", "tenure_band"], k=5)
    assert {dict(key)["課"] for key in keys} == {"税務課"}
    assert min(Counter(keys).values()) >= 5


def test_a_unit_head_alone_at_a_level_folds_the_smallest_sub_unit_to_protect_them() -> None:
    """部 = 部長 + 課 of 12 and 8: 部 minus both 課 would be the 部長 alone."""
    people = ([person("総務部", "", "", "x", "部長")]
              + [person("総務部", "税務課", "", "x")] * 12
              + [person("総務部", "住民課", "", "x")] * 8)
    keys, folds = generalise_with_folds(people, HIERARCHY, [], k=5)
    assert [(f.path, f.into, f.protects) for f in folds] == [(("総務部", "住民課"), ("総務部",),
                                                               True)]
    assert Counter(dict(key)["課"] for key in keys) == {"税務課": 12, GENERALISED: 9}


def test_small_top_units_form_one_other_cell_that_is_never_below_k() -> None:
    people = ([person("総務部", "税務課", "課税係", "0-2年")] * 10
              + [person("建設部", "土木課", "土木係", "0-2年")] * 3
              + [person("教育部", "学校課", "学務係", "3-9年")] * 2)
    keys = generalise(people, HIERARCHY, [], k=5)
    other = tuple((name, GENERALISED) for name in sorted(HIERARCHY))
    assert Counter(keys) == {keys[0]: 10, other: 5}


def test_result_is_deterministic_and_independent_of_roster_order() -> None:
    rng = random.Random(7)
    people = [person(rng.choice("AB"), rng.choice("abcd"), rng.choice("xyz"), rng.choice("123"))
              for _ in range(60)]
    first = generalise(people, HIERARCHY, ["tenure_band"], k=5)
    order = list(range(len(people)))
    rng.shuffle(order)
    shuffled = generalise([people[i] for i in order], HIERARCHY, ["tenure_band"], k=5)
    assert shuffled == [first[i] for i in order]


def _paths(people: list[dict[str, str]], hierarchy: list[str]) -> list[tuple[str, ...]]:
    out = []
    for p in people:
        path: list[str] = []
        for level in hierarchy:
            if not p.get(level):
                break
            path.append(p[level])
        out.append(tuple(path))
    return out


@settings(max_examples=60, deadline=None)
@given(org=town_halls(), k=st.integers(3, 10))
def test_property_every_unit_of_k_keeps_all_its_people(org, k: int) -> None:
    people, hierarchy, secondary = org
    keys, folds = generalise_with_folds(people, hierarchy, secondary, k)
    assert min(Counter(keys).values()) >= min(k, len(people))
    stored = [tuple(dict(key)[level] for level in hierarchy if dict(key)[level] != GENERALISED)
              for key in keys]
    paths = _paths(people, hierarchy)
    protected = {f.path for f in folds if f.protects}
    sizes = Counter(p[:d] for p in paths for d in range(1, len(p) + 1))
    for unit, size in sizes.items():
        members = [s for p, s in zip(paths, stored, strict=True) if p[:len(unit)] == unit]
        whole = all(s[:len(unit)] == unit for s in members)
        shielded = any(unit[:d] in protected for d in range(1, len(unit) + 1))
        if size >= k:
            assert whole or shielded, unit
        else:
            assert not any(len(s) >= len(unit) and s[:len(unit)] == unit for s in members), unit
    for attrs, key in zip(people, keys, strict=True):
        for name, value in key:
            assert value in (attrs.get(name) or GENERALISED, GENERALISED)


@settings(max_examples=40, deadline=None)
@given(org=town_halls(), k=st.integers(3, 10))
def test_property_a_protecting_fold_happens_only_when_a_leftover_needs_it(org, k: int) -> None:
    people, hierarchy, _secondary = org
    stored, folds = fold_units(_paths(people, hierarchy), k)
    leftovers = Counter(stored)
    for fold in folds:
        assert fold.path[:-1] == fold.into
        if fold.protects:
            assert fold.size >= k
            assert leftovers[fold.into] >= k
