"""The preview before a wave opens: units, folds, coverage of other columns, concurrent posts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.waves.design import ConcurrentRule, Member, recommended_secondary
from survey.waves.preview import UnitStatus, preview, unit_lines
from tests.orgs import town_halls

HIERARCHY = ["部", "課", "係"]


def people(部: str, 課: str, 係: str, count: int, role: str = "一般", **extra: str) -> list[Member]:
    return [Member({"部": 部, "課": 課, "係": 係, "role": role, **extra})] * count


def test_units_say_how_they_are_reported_and_where_their_people_go() -> None:
    roster = (people("総務部", "", "", 1, "部長")
              + people("総務部", "税務課", "課税係", 9) + people("総務部", "税務課", "収納係", 5)
              + people("総務部", "税務課", "", 1, "課長") + people("総務部", "税務課", "庶務係", 4)
              + people("総務部", "企画課", "企画係", 6) + people("総務部", "企画課", "広報係", 2)
              + people("建設部", "土木課", "", 12))
    shown = preview(roster, HIERARCHY, [], ["role"], 5)
    status = {u.path: (u.people, u.status, u.into) for u in shown.units}
    assert status[("総務部", "税務課", "課税係")] == (9, UnitStatus.OWN, ())
    assert status[("総務部", "税務課", "庶務係")] == (4, UnitStatus.SMALL, ("総務部", "税務課"))
    # 企画課 (8) folds into 総務部 to protect the 部長; its 広報係 (2) ends up there too.
    assert status[("総務部", "企画課")] == (8, UnitStatus.PROTECTS, ("総務部",))
    assert status[("総務部", "企画課", "広報係")] == (2, UnitStatus.SMALL, ("総務部",))
    assert status[("総務部", "企画課", "企画係")] == (6, UnitStatus.PROTECTS, ("総務部",))
    assert status[("建設部",)] == (12, UnitStatus.OWN, ())


def test_other_columns_show_their_coverage_chosen_or_not() -> None:
    roster = (people("A", "a", "", 6, "一般", tenure="x")
              + people("A", "a", "", 1, "課長", tenure="y")
              + people("B", "b", "", 8, "一般", tenure="x"))
    shown = preview(roster, HIERARCHY, ["tenure"], ["role", "tenure"], 5)
    by_name = {a.name: a for a in shown.attributes}
    assert by_name["tenure"].chosen and not by_name["role"].chosen
    assert (by_name["tenure"].covered, by_name["tenure"].total) == (8, 15)
    assert shown.design.secondary == ("tenure",)


def test_concurrent_posts_are_listed_and_counted_only_under_the_rule() -> None:
    office = ("総務部", "DX室")
    posted = [Member({"部": "総務部", "課": "税務課", "係": ""}, (office,))] * 5
    roster = posted + people("総務部", "税務課", "", 5) + people("総務部", "DX室", "", 5)
    main = preview(roster, HIERARCHY, [], [], 5)
    assert [(c.path, c.main, c.concurrent, c.counted) for c in main.concurrent] == [
        (office, 5, 5, 0)]
    counted = preview(roster, HIERARCHY, [], [], 5, ConcurrentRule.COUNTED)
    assert [(c.path, c.counted) for c in counted.concurrent] == [(office, 5)]
    assert counted.design.sizes["課"]["DX室"] == 10


@settings(max_examples=60, deadline=None)
@given(town_halls(max_staff=600), st.integers(3, 10))
def test_unit_lines_alone_match_the_full_preview_whatever_the_wave_chooses(org, k) -> None:
    """The summary after a roster import designs cells once, without secondary columns; the
    units it reports are the preview's for every choice of columns (units are kept first)."""
    rows, hierarchy, secondary = org
    members = [Member(row) for row in rows]
    alone = unit_lines(members, hierarchy, k)
    assert alone == preview(members, hierarchy, [], secondary, k).units
    assert alone == preview(members, hierarchy, secondary, secondary, k).units


def test_a_column_is_recommended_only_where_it_speaks_for_half_the_roster() -> None:
    """tenure survives only in the one large 課 (12 of 30 people): not the default; once that
    課 holds most of the roster, it is."""
    small = [m for n in range(3) for band in ("x", "y")
             for m in people(f"部{n}", f"課{n}", "", 3, tenure=band)]
    roster = people("A", "a", "", 6, tenure="x") + people("A", "a", "", 6, tenure="y") + small
    candidates = ["role", "tenure"]
    assert recommended_secondary(roster, HIERARCHY, candidates, 5) == []
    larger = roster + people("A", "a", "", 10, tenure="x") + people("A", "a", "", 10, tenure="y")
    assert recommended_secondary(larger, HIERARCHY, candidates, 5) == ["tenure"]
