"""Display labels of roster attributes: built-in labels, administrators' labels, storage rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_babel import gettext
from sqlalchemy.orm import Session

from survey.db import db
from survey.org_settings import get_setting, put_setting
from survey.roster.labels import (
    MAX_LABEL_LENGTH,
    SETTING_KEY,
    LabelError,
    LabelPair,
    attribute_labels,
    canonical,
    clean_label,
    default_label,
    editable_labels,
    known_attributes,
    label_for,
    save_labels,
    stored_labels,
)
from tests.conftest import roster_rows


@pytest.fixture()
def english(app: Flask) -> Iterator[None]:
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture()
def japanese(app: Flask) -> Iterator[None]:
    with app.test_request_context("/?lang=ja"):
        yield


@pytest.mark.parametrize(("name", "ja", "en"), [
    ("department", "部署", "Department"),
    ("Department", "部署", "Department"),
    ("division", "部門", "Division"),
    ("section", "課", "Section"),
    ("team", "係", "Team"),
    ("tenure_band", "勤続年数", "Years of service"),
    ("Tenure Band", "勤続年数", "Years of service"),
    ("tenure-band", "勤続年数", "Years of service"),
    ("age_band", "年代", "Age group"),
    ("employment_type", "雇用形態", "Employment type"),
    ("employment", "雇用形態", "Employment type"),  # the demo roster's column
    ("role", "職務", "Role"),
    ("job", "職種", "Job type"),
    ("location", "勤務地", "Location"),
    ("grade", "職位", "Grade"),
])
def test_common_column_names_have_built_in_labels_in_both_languages(
    app: Flask, name: str, ja: str, en: str
) -> None:
    with app.test_request_context("/?lang=ja"):
        assert default_label(name) == ja
    with app.test_request_context("/?lang=en"):
        assert default_label(name) == en
    with app.app_context():
        assert (default_label(name, "ja"), default_label(name, "en")) == (ja, en)


def test_attribute_role_does_not_change_the_account_role_word(japanese: None) -> None:
    assert default_label("role") == "職務"  # and not 職種, the label of job/occupation
    assert gettext("Role") == "役割"  # the interface's own "Role" keeps its meaning


@pytest.mark.parametrize("name", ["部", "課", "係", "雇用区分", "floor", "cost_centre"])
def test_other_names_show_as_they_are_in_both_languages(app: Flask, name: str) -> None:
    with app.app_context():
        assert default_label(name, "ja") == default_label(name, "en") == name


def test_canonical_matches_the_roster_importer() -> None:
    assert canonical(" Tenure  Band ") == "tenure_band"
    assert canonical("Employment-Type") == "employment_type"
    assert canonical("部") == "部"


def test_administrators_label_wins_per_language_and_falls_back_per_language(
    japanese: None,
) -> None:
    stored = {"department": LabelPair(ja="部局", en=""), "部": LabelPair(ja="", en="Bureau")}
    assert label_for("department", stored, "ja") == "部局"
    assert label_for("department", stored, "en") == "Department"  # no English label: built-in
    assert label_for("部", stored, "ja") == "部"  # no Japanese label, no built-in: the name
    assert label_for("部", stored, "en") == "Bureau"
    assert label_for("tenure_band", stored, "ja") == "勤続年数"


def test_attribute_labels_follow_the_request_language(app: Flask) -> None:
    # One request context each, as in real requests: the locale is chosen once per request.
    with app.test_request_context("/"):
        save_labels(db.session, {"部": LabelPair(ja="部局", en="Bureau")}, known=["部"])
        db.session.commit()
    names = ["department", "部", "課"]
    with app.test_request_context("/?lang=ja"):
        assert attribute_labels(db.session, names) == {
            "department": "部署", "部": "部局", "課": "課"}
    with app.test_request_context("/?lang=en"):
        assert attribute_labels(db.session, names) == {
            "department": "Department", "部": "Bureau", "課": "課"}


def test_labels_are_trimmed_and_limited_to_forty_characters() -> None:
    assert clean_label("  部局  ") == "部局"
    assert clean_label("   ") == ""
    assert clean_label(None) == ""
    assert clean_label("あ" * MAX_LABEL_LENGTH) == "あ" * MAX_LABEL_LENGTH
    with pytest.raises(LabelError):
        clean_label("あ" * (MAX_LABEL_LENGTH + 1))


def test_saving_stores_in_the_setting_table_and_reports_only_changes(session: Session) -> None:
    known = ["department", "tenure_band"]
    changed = save_labels(session, {"department": LabelPair(ja=" 部局 ", en="Bureau"),
                                    "tenure_band": LabelPair()}, known)
    assert changed == {"department": {"ja": "部局", "en": "Bureau"}}
    assert get_setting(session, SETTING_KEY) == {"department": {"ja": "部局", "en": "Bureau"}}
    assert save_labels(session, {"department": LabelPair(ja="部局", en="Bureau")}, known) == {}


def test_an_empty_label_returns_to_the_default_and_is_not_stored(session: Session) -> None:
    save_labels(session, {"department": LabelPair(ja="部局", en="Bureau")}, ["department"])
    changed = save_labels(session, {"department": LabelPair(ja="  ", en="")}, ["department"])
    assert changed == {"department": {"ja": "", "en": ""}}
    assert stored_labels(session) == {}
    assert label_for("department", stored_labels(session), "ja") == "部署"


def test_saving_ignores_unknown_names_and_keeps_other_labels(session: Session) -> None:
    put_setting(session, SETTING_KEY, {"former_column": {"ja": "旧区分", "en": "Former"}})
    changed = save_labels(session, {"department": LabelPair(ja="部局"),
                                    "<script>": LabelPair(ja="x")}, known=["department"])
    assert list(changed) == ["department"]
    assert stored_labels(session) == {"former_column": LabelPair(ja="旧区分", en="Former"),
                                      "department": LabelPair(ja="部局", en="")}


def test_saving_refuses_a_label_that_is_too_long(session: Session) -> None:
    with pytest.raises(LabelError):
        save_labels(session, {"department": LabelPair(en="x" * 41)}, ["department"])


def test_known_attributes_put_the_unit_hierarchy_first_and_keep_former_columns(
    app: Flask, session: Session, open_wave: Callable[..., Any],
    make_roster: Callable[..., int],
) -> None:
    open_wave(secondary=["tenure_band"])  # its cells carry department and tenure_band
    rows = [{"employee_id": row["employee_id"], "email": row["email"],
             "部": "総務部", "課": row["department"], "age_band": "30代"}
            for row in roster_rows(30)]
    make_roster(rows)
    put_setting(session, "group_hierarchy", ["部", "課"])
    session.commit()
    assert known_attributes(session) == ["部", "課", "age_band", "department", "tenure_band"]


def test_known_attributes_of_an_empty_roster(session: Session) -> None:
    assert known_attributes(session) == []


def test_editable_labels_pair_every_known_attribute_with_its_stored_labels(
    session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster()
    save_labels(session, {"tenure_band": LabelPair(en="Tenure")}, ["tenure_band"])
    assert editable_labels(session) == [("department", LabelPair()),
                                        ("tenure_band", LabelPair(ja="", en="Tenure"))]


def test_a_malformed_setting_reads_as_no_labels(session: Session) -> None:
    put_setting(session, SETTING_KEY, ["not", "a", "mapping"])
    assert stored_labels(session) == {}
