"""Where a wave reports a unit (pure): as itself, or within the smallest enclosing unit that
keeps k — the fact a unit head's page states ("your 係 is reported within 総務課")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.units.reporting import Placement, reported_unit
from survey.waves.cells import GENERALISED, unit_path
from survey.waves.design import CellDesign, Member, design_cells
from tests.orgs import town_halls

HIERARCHY = ("部", "課", "係")


def _people(spec: dict[tuple[str, ...], int]) -> list[Member]:
    return [Member(dict(zip(HIERARCHY, path, strict=False)))
            for path, count in spec.items() for _ in range(count)]


def _design(spec: dict[tuple[str, ...], int], k: int = 5) -> CellDesign:
    return design_cells(_people(spec), HIERARCHY, [], k)[0]


TOWN = {("総務部", "総務課"): 1, ("総務部", "総務課", "庶務係"): 4,
        ("総務部", "総務課", "人事係"): 6, ("総務部", "企画課", "企画係"): 7,
        ("町民部", "税務課", "課税係"): 9}


def test_a_small_section_is_reported_within_its_section_chief_s_unit() -> None:
    found = reported_unit(_design(TOWN), ("総務部", "総務課", "庶務係"))
    assert found.placement is Placement.WITHIN
    assert found.reported_as == ("総務部", "総務課")
    assert found.folded == ("総務部", "総務課", "庶務係") and not found.protects


def test_a_unit_of_k_is_reported_as_itself() -> None:
    design = _design(TOWN)
    assert reported_unit(design, ("総務部", "総務課", "人事係")).placement is Placement.OWN
    assert reported_unit(design, ("総務部", "総務課")).reported_as == ("総務部", "総務課")


def test_a_unit_folded_to_protect_a_neighbour_says_so() -> None:
    # 総務課 itself holds one person (its 課長) and 庶務係 is too small: together 4 < 5, so the
    # smallest kept 係 (人事係, 6) is folded in to protect them.
    spec = {("総務部", "総務課"): 1, ("総務部", "総務課", "庶務係"): 3,
            ("総務部", "総務課", "人事係"): 6, ("総務部", "総務課", "文書係"): 8,
            ("町民部", "税務課"): 9}
    found = reported_unit(_design(spec), ("総務部", "総務課", "人事係"))
    assert (found.placement, found.reported_as, found.protects) == (
        Placement.WITHIN, ("総務部", "総務課"), True)


def test_below_a_folded_unit_the_fold_of_the_parent_decides() -> None:
    spec = {("総務部", "総務課", "庶務係"): 2, ("総務部", "総務課", "人事係"): 1,
            ("町民部", "税務課"): 12}
    found = reported_unit(_design(spec), ("総務部", "総務課", "庶務係"))
    assert found.reported_as == () and found.folded == ("総務部",)  # the organisation's その他


def test_a_unit_nobody_was_invited_from_is_absent_and_the_organisation_is_itself() -> None:
    design = _design(TOWN)
    assert reported_unit(design, ("総務部", "新設課")).placement is Placement.ABSENT
    assert reported_unit(design, ("総務部", "新設課")).reported_as is None
    assert reported_unit(design, ()).placement is Placement.OWN


def test_it_works_on_the_design_as_stored_on_the_wave() -> None:
    design = CellDesign.from_dict(_design(TOWN).to_dict())
    assert reported_unit(design, ("総務部", "総務課", "庶務係")).reported_as == ("総務部", "総務課")


@settings(max_examples=60, deadline=None)
@given(org=town_halls(max_staff=600), k=st.integers(3, 10))
def test_property_the_reported_unit_encloses_the_unit_holds_its_people_and_k(org, k) -> None:
    people, hierarchy, _secondary = org
    design, keys = design_cells([Member(p) for p in people], hierarchy, [], k)
    paths = [unit_path(p, hierarchy) for p in people]
    stored = [tuple(v for level in hierarchy if (v := dict(key)[level]) != GENERALISED)
              for key in keys]
    for unit in {p[:d] for p in paths for d in range(1, len(p) + 1)}:
        found = reported_unit(design, unit)
        assert found.reported_as is not None and unit[: len(found.reported_as)] == \
            found.reported_as
        members = [s for p, s in zip(paths, stored, strict=True) if p[: len(unit)] == unit]
        if found.placement is Placement.OWN:
            assert all(s[: len(unit)] == unit for s in members), unit
        else:
            assert all(s == found.reported_as for s in members), unit
        shown = sum(1 for s in stored if s[: len(found.reported_as)] == found.reported_as)
        assert shown >= min(k, len(people)), (unit, found)
