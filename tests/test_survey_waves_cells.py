"""Generalising roster attributes into stored cells of at least k invitees (pure, no app)."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.waves.cells import GENERALISED, cell_key, generalise

NAMES = ("部", "課", "係", "tenure_band")
HIERARCHY = ("部", "課", "係")


def person(部: str, 課: str, 係: str, tenure: str) -> dict[str, str]:
    return {"部": 部, "課": 課, "係": 係, "tenure_band": tenure}


def sizes(keys: list[tuple[tuple[str, str], ...]]) -> Counter:
    return Counter(keys)


def test_cell_key_is_sorted_and_marks_missing_values() -> None:
    key = cell_key({"課": "税務課", "部": ""}, ["課", "部", "係"])
    assert key == (("係", GENERALISED), ("課", "税務課"), ("部", GENERALISED))


def test_large_enough_cells_are_kept_as_they_are() -> None:
    people = [person("総務部", "税務課", "課税係", "0-2年")] * 5 + \
             [person("総務部", "住民課", "窓口係", "0-2年")] * 5
    keys = generalise(people, NAMES, HIERARCHY, k=5)
    assert keys == [cell_key(p, NAMES) for p in people]


def test_a_small_section_rolls_up_into_its_division_first() -> None:
    people = ([person("総務部", "税務課", "課税係", "0-2年")] * 6
              + [person("総務部", "税務課", "収納係", "0-2年")] * 2
              + [person("総務部", "税務課", "庶務係", "0-2年")] * 3)
    keys = generalise(people, NAMES, HIERARCHY, k=5)
    # The finest unit (係) goes first; 課 and the other attributes survive.
    rolled = dict(keys[-1])
    assert rolled == {"部": "総務部", "課": "税務課", "係": GENERALISED, "tenure_band": "0-2年"}
    assert dict(keys[0])["係"] == "課税係"
    assert all(count >= 5 for count in sizes(keys).values())


def test_other_attributes_go_before_coarser_units() -> None:
    # 係 is already absent; the tenure split leaves 3 + 3 in 税務課 → tenure becomes '*', 課 stays.
    people = ([person("総務部", "税務課", "", "0-2年")] * 3
              + [person("総務部", "税務課", "", "10年以上")] * 3
              + [person("総務部", "住民課", "", "0-2年")] * 6)
    keys = generalise(people, NAMES, HIERARCHY, k=5)
    tax = {dict(key)["課"] for key in keys[:6]}
    assert tax == {"税務課"}
    assert {dict(key)["tenure_band"] for key in keys[:6]} == {GENERALISED}
    assert dict(keys[-1]) == {"部": "総務部", "課": "住民課", "係": GENERALISED,
                              "tenure_band": "0-2年"}


def test_units_roll_from_fine_to_broad() -> None:
    # 課 of 2 people: after 係 and tenure are '*', 課 goes, but 部 (the broadest unit) stays.
    people = ([person("総務部", "税務課", "課税係", "0-2年")] * 6
              + [person("総務部", "企画課", "企画係", "0-2年")] * 2
              + [person("総務部", "住民課", "窓口係", "3-9年")] * 3
              + [person("建設部", "土木課", "土木係", "0-2年")] * 6)
    keys = generalise(people, NAMES, HIERARCHY, k=5)
    small = [dict(key) for key in keys[6:11]]
    assert all(key == {"部": "総務部", "課": GENERALISED, "係": GENERALISED,
                       "tenure_band": GENERALISED} for key in small)
    assert all(count >= 5 for count in sizes(keys).values())


def test_people_who_fit_nowhere_form_one_residual_cell() -> None:
    people = ([person("総務部", "税務課", "課税係", "0-2年")] * 10
              + [person("建設部", "土木課", "土木係", "0-2年")]
              + [person("教育部", "学校課", "学務係", "3-9年")])
    keys = generalise(people, NAMES, HIERARCHY, k=5)
    residual = tuple((name, GENERALISED) for name in sorted(NAMES))
    assert keys[10] == keys[11] == residual
    assert sizes(keys) == Counter({keys[0]: 10, residual: 2})


def test_result_is_deterministic_and_independent_of_roster_order() -> None:
    rng = random.Random(7)
    people = [person(rng.choice("AB"), rng.choice("abcd"), rng.choice("xyz"), rng.choice("123"))
              for _ in range(60)]
    first = generalise(people, NAMES, HIERARCHY, k=5)
    assert generalise(people, NAMES, HIERARCHY, k=5) == first
    order = list(range(len(people)))
    rng.shuffle(order)
    shuffled = generalise([people[i] for i in order], NAMES, HIERARCHY, k=5)
    assert shuffled == [first[i] for i in order]


attributes = st.fixed_dictionaries({
    "部": st.sampled_from(["総務部", "建設部", ""]),
    "課": st.sampled_from(["税務課", "住民課", "土木課", "企画課"]),
    "係": st.sampled_from(["一係", "二係", "三係", ""]),
    "tenure_band": st.sampled_from(["0-2年", "3-9年", "10年以上"]),
})


@settings(max_examples=150, deadline=None)
@given(people=st.lists(attributes, min_size=1, max_size=80), k=st.integers(2, 12))
def test_property_keys_are_consistent_and_only_the_residual_is_small(
    people: list[dict[str, str]], k: int
) -> None:
    keys = generalise(people, NAMES, HIERARCHY, k)
    assert len(keys) == len(people)
    for attrs, key in zip(people, keys, strict=True):
        for name, value in key:
            assert value in (attrs[name] or GENERALISED, GENERALISED)
    residual = tuple((name, GENERALISED) for name in sorted(NAMES))
    small = [key for key, count in Counter(keys).items() if count < k]
    assert small in ([], [residual])
