"""Principles and items: the default template, versioned edits and the admin pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Item, ItemKind, Principle, Wave
from survey.principles.services import (
    PrincipleError,
    add_item,
    add_principle,
    ordered_principles,
    survey_by_name,
    update_item,
)


def survey_items(session: Session) -> list[Item]:
    session.expire_all()
    return [entry.item for entry in survey_by_name(session, None).entries]


def test_default_template_has_four_principles_with_three_items_each(session: Session) -> None:
    principles = ordered_principles(session)
    assert [p.code for p in principles] == ["citizen", "no-excuses", "no-blame", "evidence"]
    assert all(p.title_ja.endswith("ませぬ") and p.title_en for p in principles)
    assert principles[2].title_ja == "失敗を責めてはなりませぬ"
    items = survey_items(session)
    likert = [i for i in items if i.kind == ItemKind.LIKERT5]
    per_principle = Counter(i.principle_id for i in likert)
    assert sorted(per_principle.values()) == [3, 3, 3, 3]
    assert set(per_principle) == {p.id for p in principles}
    reversed_per_principle = Counter(i.principle_id for i in likert if i.reverse)
    assert reversed_per_principle == {p.id: 1 for p in principles}
    assert [i.kind for i in items if i.kind != ItemKind.LIKERT5] == [ItemKind.NPS11,
                                                                     ItemKind.COMMENT]
    assert all(i.text_ja and i.text_en and i.version == 1 and i.current for i in items)


def test_editing_an_unanswered_item_changes_it_in_place(session: Session) -> None:
    item = survey_items(session)[0]
    saved = update_item(session, item, "新しい文言", "New wording", reverse=False)
    session.commit()
    assert saved.id == item.id and saved.version == 1
    assert survey_items(session)[0].text_ja == "新しい文言"


def test_editing_an_answered_item_makes_version_two_and_old_waves_keep_version_one(
    app: Flask, client: FlaskClient, session: Session, open_wave: Callable[..., Any],
    login: Callable[[str], FlaskClient],
) -> None:
    wave_id, links = open_wave()
    first = survey_items(session)[0]
    assert client.post(links[0], data={f"item_{first.id}": "4"}).status_code == 200
    session.rollback()  # requests share this test's app context and so its session: end its read
    login("admin")
    response = client.post(f"/admin/principles/items/{first.id}",
                           data={"text_ja": "改訂した文言", "text_en": "Revised", "reverse": ""})
    assert response.status_code == 302
    page = client.get("/admin/principles/").get_data(as_text=True)
    assert "第 2 版として保存しました。" in page

    current = survey_items(session)[0]
    assert (current.key, current.version, current.text_ja) == (first.key, 2, "改訂した文言")
    assert current.id != first.id and current.current
    old = session.get(Item, first.id)
    assert not old.current and old.text_ja == first.text_ja
    wave = session.get(Wave, wave_id)
    assert wave.items[0].item_id == first.id
    with pytest.raises(PrincipleError, match="item_superseded"):
        update_item(session, old, "x", "x", False)


def test_a_new_wave_asks_the_new_version(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    first_wave, links = open_wave("first")
    first = survey_items(session)[0]
    from survey.answering.services import submit
    from survey.db import begin_write

    begin_write(session)
    submit(session, links[0].rsplit("/", 1)[1], {first.id: 2})
    successor = update_item(session, session.get(Item, first.id), "改", "Rev", False)
    session.commit()
    second_wave, _ = open_wave("second", roster=False)
    assert session.get(Wave, second_wave).items[0].item_id == successor.id
    assert session.get(Wave, first_wave).items[0].item_id == first.id


def test_add_principle_and_item(session: Session) -> None:
    principle = add_principle(session, " Open-Data ", "情報を隠してはなりませぬ", "Don't hide")
    survey = survey_by_name(session, None)
    item = add_item(session, survey, principle, "likert5", " 資料を公開した。 ", "Shared.", True)
    session.commit()
    assert principle.code == "open-data" and principle.position == 4
    assert (item.key, item.scale, item.reverse, item.text_ja) == (
        "open-data.1", "frequency", True, "資料を公開した。")
    assert survey_items(session)[-1].id == item.id
    with pytest.raises(PrincipleError, match="code_taken"):
        add_principle(session, "open-data", "重複", "Duplicate")
    with pytest.raises(PrincipleError, match="likert_needs_principle"):
        add_item(session, survey, None, "likert5", "x", "x")
    with pytest.raises(PrincipleError, match="invalid_kind"):
        add_item(session, survey, principle, "essay", "x", "x")


def test_admin_adds_a_principle_and_a_question_through_the_pages(
    client: FlaskClient, session: Session, login: Callable[[str], FlaskClient]
) -> None:
    login("admin")
    response = client.post("/admin/principles/", data={
        "code": "open-data", "title_ja": "情報を隠してはなりませぬ", "title_en": "Don't hide"})
    assert response.status_code == 302
    principle = session.scalar(select(Principle).where(Principle.code == "open-data"))
    response = client.post("/admin/principles/items", data={
        "principle": str(principle.id), "kind": "likert5", "text_ja": "資料を共有した。",
        "text_en": "We shared the material."})
    assert response.status_code == 302
    page = client.get("/admin/principles/").get_data(as_text=True)
    assert "情報を隠してはなりませぬ" in page and "資料を共有した。" in page
    assert "設問を調査票に追加しました。" in page


def test_bad_principle_code_is_refused_with_a_message(
    client: FlaskClient, login: Callable[[str], FlaskClient]
) -> None:
    login("admin")
    for code, message in (("Bad Code!", "半角の英小文字・数字・ハイフン"),
                          ("citizen", "同じコードの行動指針がすでにあります。")):
        response = client.post("/admin/principles/", data={
            "code": code, "title_ja": "題", "title_en": "Title"})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_saving_an_answered_item_unchanged_keeps_its_version(
    app: Flask, client: FlaskClient, session: Session, open_wave: Callable[..., Any],
    login: Callable[[str], FlaskClient],
) -> None:
    _wave_id, links = open_wave()
    first = survey_items(session)[0]
    assert client.post(links[0], data={f"item_{first.id}": "4"}).status_code == 200
    session.rollback()
    login("admin")
    same = {"text_ja": first.text_ja + " ", "text_en": first.text_en,
            "reverse": "y" if first.reverse else ""}
    response = client.post(f"/admin/principles/items/{first.id}", data=same)
    assert response.status_code == 302
    assert "変更はありませんでした。" in client.get("/admin/principles/").get_data(as_text=True)
    session.expire_all()
    assert survey_items(session)[0].id == first.id
    assert session.scalars(select(Item).where(Item.key == first.key)).all() == [first]
    assert update_item(session, first, first.text_ja, first.text_en, first.reverse) is first


def test_a_question_without_a_default_survey_is_refused_and_nothing_written(
    client: FlaskClient, session: Session, login: Callable[[str], FlaskClient]
) -> None:
    login("admin")
    survey = survey_by_name(session, None)
    survey.is_default = False
    session.commit()
    before = session.scalars(select(Item.id)).all()
    response = client.post("/admin/principles/items", data={
        "principle": "0", "kind": "comment", "text_ja": "ご意見を。", "text_en": "Comments?"})
    assert response.status_code == 400
    assert "既定のアンケートがまだありません" in response.get_data(as_text=True)
    assert session.scalars(select(Item.id)).all() == before
