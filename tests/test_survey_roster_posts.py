"""Concurrent posts (兼務): unit names found at any level, refused when unknown or ambiguous.

Pure tests (no app) on rows checked by ``clean_rows``; the whole town, in both shapes and file
types, is imported in test_survey_roster_services.py.
"""

from __future__ import annotations

import pytest

from survey.roster.parsing import RosterError, clean_rows
from survey.roster.posts import UnitIndex, concurrent_posts, has_posts, split_unit_names

LEVELS = ["部", "課", "係"]


def person(eid: str, *path: str, posts: str = "") -> dict[str, str]:
    units = dict(zip(LEVELS, [*path, "", "", ""], strict=False))
    return {"employee_id": eid, "email": f"{eid.lower()}@x.jp", **units, "兼務先": posts}


def refusal(rows: list[dict[str, str]], levels: list[str] = LEVELS) -> RosterError:
    with pytest.raises(RosterError) as caught:
        concurrent_posts(clean_rows(rows), levels)
    return caught.value


@pytest.mark.parametrize("text", [
    "総務課、税務課;広報係", "総務課,税務課/広報係", "総務課／税務課；広報係",
    " 総務課 、、税務課 ,広報係、", "総務課\n税務課\n広報係",
])
def test_split_unit_names(text: str) -> None:
    cleaned = clean_rows([{"employee_id": "E1", "email": "a@x.jp", "兼務": text}])
    assert split_unit_names(cleaned[0]["concurrent_units"]) == ["総務課", "税務課", "広報係"]


def test_a_unit_is_found_at_any_level_by_its_own_name() -> None:
    index = UnitIndex([("総務部", "総務課", "庶務係"), ("総務部", "企画課"), ("町民部",)])
    assert index.resolve("総務部", 2, "兼務先") == ("総務部",)
    assert index.resolve("総務課", 2, "兼務先") == ("総務部", "総務課")
    assert index.resolve("庶務係", 2, "兼務先") == ("総務部", "総務課", "庶務係")
    assert index.resolve("町民部", 2, "兼務先") == ("町民部",)


def test_posts_are_full_paths_without_the_main_unit_or_repeats() -> None:
    rows = [person("E1", "総務部", "総務課", "庶務係", posts="企画課、庶務係、企画課、町民部"),
            person("E2", "総務部", "企画課"),
            person("E3", "町民部", "税務課", posts="税務課")]
    assert concurrent_posts(clean_rows(rows), LEVELS) == {
        "E1": [["町民部"], ["総務部", "企画課"]]}


def test_a_unit_named_only_by_a_post_row_can_be_named_in_a_cell() -> None:
    rows = [{**person("E1", "総務部", "総務課"), "区分": "本務"},
            {**person("E1", "総務部", "広報室"), "区分": "兼務", "email": ""},
            {**person("E2", "町民部", "税務課", posts="広報室"), "区分": ""}]
    assert concurrent_posts(clean_rows(rows), LEVELS) == {
        "E1": [["総務部", "広報室"]], "E2": [["総務部", "広報室"]]}


def test_an_unknown_unit_is_refused_with_its_row_and_column() -> None:
    error = refusal([person("E1", "総務部", "総務課"),
                     person("E2", "総務部", "企画課", posts="総務課、広報室")])
    assert (error.code, error.row, error.column, error.params["value"]) == (
        "unknown_unit", 3, "兼務先", "広報室")


def test_a_name_of_two_units_is_refused_rather_than_guessed() -> None:
    # 議会事務局 is both a 部 and its only 課: which one the post means cannot be known.
    error = refusal([person("E1", "議会事務局", "議会事務局"),
                     person("E2", "総務部", "総務課", posts="議会事務局")])
    assert (error.code, error.row, error.column) == ("ambiguous_unit", 3, "兼務先")
    assert error.params["paths"] == "議会事務局、議会事務局 > 議会事務局"


def test_a_post_row_without_a_unit_is_refused() -> None:
    error = refusal([{**person("E1", "総務部", "総務課"), "本務兼務": "本務"},
                     {**person("E1"), "本務兼務": "兼務"}])
    assert (error.code, error.row, error.column) == ("post_without_unit", 3, "部")


def test_posts_need_a_hierarchy_and_none_is_nothing_to_place() -> None:
    rows = [person("E1", "総務部", "総務課", posts="総務部")]
    error = refusal(rows, [])
    assert (error.code, error.row, error.column) == ("posts_without_hierarchy", None, "兼務先")
    quiet = clean_rows([person("E1", "総務部", "総務課")])
    assert not has_posts(quiet) and concurrent_posts(quiet, []) == {}
