"""Answering at /s/<token>: GET never spends, POST stores once, hostile input stores nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from survey.db import db
from survey.models import Answer, Invitation, Item, ItemKind, Response, Wave, WaveCell
from survey.waves.services import today
from survey.waves.tokens import hash_token


def stored(app: Flask) -> tuple[int, int]:
    """(responses, answers) in the database."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Response)) or 0,
                db.session.scalar(select(func.count()).select_from(Answer)) or 0)


def items_by_kind(app: Flask, wave_id: int) -> dict[str, list[Item]]:
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        grouped: dict[str, list[Item]] = {}
        for entry in wave.items:
            grouped.setdefault(str(entry.item.kind), []).append(entry.item)
        return grouped


def spent(app: Flask, path: str) -> bool:
    with app.app_context():
        return db.session.get(Invitation, hash_token(path.rsplit("/", 1)[1])).spent


@pytest.fixture()
def link(open_wave: Callable[..., Any]) -> tuple[int, str]:
    wave_id, links = open_wave()
    return wave_id, links[0]


@pytest.fixture()
def likert(app: Flask, link: tuple[int, str]) -> Item:
    return items_by_kind(app, link[0])["likert5"][0]


def test_get_shows_the_form_in_japanese_with_the_privacy_notice_and_never_spends(
    app: Flask, client: FlaskClient, link: tuple[int, str]
) -> None:
    _wave_id, path = link
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<html lang="ja">' in body
    assert "行動指針パルスサーベイ" in body
    words = body.replace("\u200b", "")  # translators mark where a label may wrap
    assert "まったくなかった" in words and "いつもあった" in words
    assert "回答を送信する" in body
    notice = re.search(r'<p class="notice" id="privacy">(.*?)</p>', body, re.S).group(1)
    assert "5 人以上のグループ" in notice and "10 件以上" in notice
    assert page.headers["Cache-Control"] == "no-store"
    assert not spent(app, path)
    assert stored(app) == (0, 0)


def test_english_on_request(client: FlaskClient, link: tuple[int, str]) -> None:
    body = client.get(link[1] + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "Action principles pulse survey" in body
    assert "Never" in body and "Send my answers" in body
    assert "a group of at least 5 people" in body


def test_post_stores_one_response_with_only_wave_and_cell(
    app: Flask, client: FlaskClient, link: tuple[int, str], likert: Item
) -> None:
    wave_id, path = link
    comment = items_by_kind(app, wave_id)["comment"][0]
    nps = items_by_kind(app, wave_id)["nps11"][0]
    page = client.post(path, data={f"item_{likert.id}": "4", f"item_{nps.id}": "0",
                                   f"item_{comment.id}": "  会議で話しやすくなりました。 "})
    assert page.status_code == 200
    assert "ご回答ありがとうございました。回答を保存しました。" in page.get_data(as_text=True)
    assert spent(app, path)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.wave_id == wave_id
        assert db.session.get(WaveCell, response.cell_id).wave_id == wave_id
        row = {c: getattr(response, c) for c in Response.__table__.columns.keys()}  # noqa: SIM118
        assert set(row) == {"id", "wave_id", "cell_id"}
        answers = {a.item_id: (a.value, a.text) for a in response.answers}
    assert answers == {likert.id: (4, None), nps.id: (0, None),
                       comment.id: (None, "会議で話しやすくなりました。")}


def test_a_second_post_gets_a_polite_410_and_stores_nothing(
    app: Flask, client: FlaskClient, link: tuple[int, str], likert: Item
) -> None:
    path = link[1]
    assert client.post(path, data={f"item_{likert.id}": "3"}).status_code == 200
    again = client.post(path, data={f"item_{likert.id}": "1"})
    assert again.status_code == 410
    assert "このリンクはすでに使用されています" in again.get_data(as_text=True)
    assert stored(app) == (1, 1)
    with app.app_context():
        assert db.session.scalar(select(Answer.value)) == 3
    assert client.get(path).status_code == 410


@pytest.mark.parametrize("path", [
    "/s/" + "A" * 43,  # well-formed but unknown
    "/s/short",
    "/s/" + "a" * 42 + "=",
    "/s/%27%20OR%201%3D1%20--",
])
def test_unknown_or_malformed_links_get_a_404_page(
    app: Flask, client: FlaskClient, link: tuple[int, str], path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 404
    assert "このリンクは無効です" in page.get_data(as_text=True)
    assert client.post(path, data={"item_1": "3"}).status_code == 404
    assert stored(app) == (0, 0)


def _move_dates(app: Flask, wave_id: int, opens: dt.date, closes: dt.date) -> None:
    with app.app_context():
        db.session.execute(update(Wave).where(Wave.id == wave_id).values(
            opens_on=opens, closes_on=closes))
        db.session.commit()


def test_a_wave_past_its_closing_date_cannot_be_answered(
    app: Flask, client: FlaskClient, link: tuple[int, str], likert: Item
) -> None:
    wave_id, path = link
    _move_dates(app, wave_id, today() - dt.timedelta(days=15), today() - dt.timedelta(days=1))
    page = client.post(path, data={f"item_{likert.id}": "3"})
    assert page.status_code == 410
    assert "この調査は締め切りました" in page.get_data(as_text=True)
    assert stored(app) == (0, 0) and not spent(app, path)


def test_a_wave_that_has_not_opened_cannot_be_answered_yet(
    app: Flask, client: FlaskClient, link: tuple[int, str], likert: Item
) -> None:
    wave_id, path = link
    _move_dates(app, wave_id, today() + dt.timedelta(days=2), today() + dt.timedelta(days=9))
    page = client.post(path, data={f"item_{likert.id}": "3"})
    assert page.status_code == 403
    assert "この調査はまだ始まっていません" in page.get_data(as_text=True)
    assert stored(app) == (0, 0) and not spent(app, path)


def test_at_least_one_answer_is_required(
    app: Flask, client: FlaskClient, link: tuple[int, str], likert: Item
) -> None:
    wave_id, path = link
    comment = items_by_kind(app, wave_id)["comment"][0]
    for data in ({}, {f"item_{likert.id}": ""}, {f"item_{comment.id}": "   "}):
        page = client.post(path, data=data)
        assert page.status_code == 400
        assert "少なくとも 1 問はお答えください。" in page.get_data(as_text=True)
    assert stored(app) == (0, 0) and not spent(app, path)


@pytest.mark.parametrize(("kind", "value"), [
    ("likert5", "6"), ("likert5", "0"), ("likert5", "-1"), ("likert5", "1 OR 1=1"),
    ("likert5", "３"), ("likert5", "4.0"), ("nps11", "11"), ("nps11", "-0"),
    ("comment", "あ" * 3000),
])
def test_out_of_range_or_hostile_values_are_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, link: tuple[int, str], likert: Item, kind: str, value: str
) -> None:
    wave_id, path = link
    target = items_by_kind(app, wave_id)[kind][0]
    other = likert if target.id != likert.id else items_by_kind(app, wave_id)["likert5"][1]
    page = client.post(path, data={f"item_{target.id}": value, f"item_{other.id}": "3"})
    assert page.status_code == 400
    assert "正しくない回答があります" in page.get_data(as_text=True)
    assert stored(app) == (0, 0) and not spent(app, path)


def test_a_field_for_an_item_outside_the_wave_is_never_stored(
    app: Flask, client: FlaskClient, link: tuple[int, str], likert: Item
) -> None:
    _wave_id, path = link
    with app.app_context():
        foreign = Item(key="x.1", kind=ItemKind.LIKERT5, text_ja="外", text_en="Outside")
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    page = client.post(path, data={f"item_{foreign_id}": "5"})
    assert page.status_code == 400
    assert stored(app) == (0, 0) and not spent(app, path)
    client.post(path, data={f"item_{foreign_id}": "5", f"item_{likert.id}": "2"})
    with app.app_context():
        assert db.session.scalars(select(Answer.item_id)).all() == [likert.id]


def test_with_csrf_on_a_post_without_token_is_rejected_and_stores_nothing(
    make_app: Callable[..., Flask], open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    secure = make_app(WTF_CSRF_ENABLED=True)
    client = secure.test_client()
    page = client.get(links[0])
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    likert_id = items_by_kind(secure, wave_id)["likert5"][0].id
    rejected = client.post(links[0], data={f"item_{likert_id}": "3"})
    assert rejected.status_code == 400
    assert stored(secure) == (0, 0) and not spent(secure, links[0])
    # The same post with the page's token goes through, so it was the token that was missing.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page.get_data(as_text=True))
    accepted = client.post(links[0], data={"csrf_token": token.group(1), f"item_{likert_id}": "3"})
    assert accepted.status_code == 200 and stored(secure) == (1, 1)


def _form_key(page_html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_html).group(1)


def test_the_form_key_belongs_to_its_link_and_outlives_any_session(
    make_app: Callable[..., Flask], open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    secure = make_app(WTF_CSRF_ENABLED=True)
    likert_id = items_by_kind(secure, wave_id)["likert5"][0].id
    key_a = _form_key(secure.test_client().get(links[0]).get_data(as_text=True))
    key_b = _form_key(secure.test_client().get(links[1]).get_data(as_text=True))
    assert key_a != key_b
    other = secure.test_client()
    for wrong in (key_b, key_a[:-1], "鍵" * 64, ""):
        page = other.post(links[0], data={"csrf_token": wrong, f"item_{likert_id}": "3"})
        assert page.status_code == 400, wrong
        assert "フォームの有効期限" in page.get_data(as_text=True)
    assert stored(secure) == (0, 0) and not spent(secure, links[0])
    # A different browser (no cookie, no session) with link A's page key is accepted: the
    # key is bound to the link, so a form left open for hours still sends.
    accepted = other.post(links[0], data={"csrf_token": key_a, f"item_{likert_id}": "3"})
    assert accepted.status_code == 200 and stored(secure) == (1, 1)


def test_staff_pages_set_no_cookie_in_either_language(
    client: FlaskClient, link: tuple[int, str], likert: Item
) -> None:
    path = link[1]
    pages = [client.get(path), client.get(path + "?lang=en"),
             client.post(path + "?lang=en", data={f"item_{likert.id}": "2"}),
             client.get(path + "?lang=en")]
    assert [page.status_code for page in pages] == [200, 200, 200, 410]
    assert all("Set-Cookie" not in page.headers for page in pages)
    thanks = pages[2].get_data(as_text=True)
    assert "Thank you. Your answers are saved." in thanks
    assert path.rsplit("/", 1)[1] not in thanks  # the same page for everyone: no link in it
    assert "This link has already been used" in pages[3].get_data(as_text=True)


def test_the_language_switch_stays_on_the_link_without_writing_it_into_the_page(
    client: FlaskClient, link: tuple[int, str]
) -> None:
    path = link[1]
    japanese = client.get(path).get_data(as_text=True)
    assert 'href="?lang=en"' in japanese  # the browser keeps the path: /s/<token>?lang=en
    english = client.get(path + "?lang=en").get_data(as_text=True)
    assert 'href="?lang=ja"' in english
    assert all(path.rsplit("/", 1)[1] not in page for page in (japanese, english))


def test_a_crafted_request_cannot_poison_the_page_others_get(
    make_app: Callable[..., Flask], open_wave: Callable[..., Any]
) -> None:
    """The first request of a wave renders the page everyone gets: nothing of it may stick."""
    _wave_id, links = open_wave()
    behind_proxy = make_app(PROXY_FIX=1)
    attacker = behind_proxy.test_client()
    headers = {"X-Forwarded-Prefix": "//evil.example", "X-Forwarded-Host": "evil.example"}
    assert attacker.get(links[0], headers=headers).status_code == 200
    assert attacker.get(links[0], base_url="http://localhost/evil").status_code == 200
    page = behind_proxy.test_client().get(links[1]).get_data(as_text=True)
    assert "evil" not in page
    assert 'href="/static/naranu.css"' in page


def test_a_signed_in_account_never_leaks_into_the_staff_page(
    app: Flask, client: FlaskClient, login: Callable[[str], FlaskClient],
    open_wave: Callable[..., Any],
) -> None:
    _wave_id, links = open_wave()
    admin = login("admin")
    seen_by_admin = admin.get(links[0]).get_data(as_text=True)
    staff = app.test_client().get(links[1]).get_data(as_text=True)
    for page in (seen_by_admin, staff):
        assert "ログアウト" not in page and "/admin/" not in page
    assert links[0].rsplit("/", 1)[1] not in staff  # nobody else's link in the page


def test_an_edited_survey_title_shows_on_the_next_page_view(
    app: Flask, client: FlaskClient, link: tuple[int, str]
) -> None:
    from survey.models import Survey

    assert "行動指針パルスサーベイ" in client.get(link[1]).get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Survey).values(title_ja="新しい題名"))
        db.session.commit()
    assert "新しい題名" in client.get(link[1]).get_data(as_text=True)


def test_submit_with_a_link_read_before_another_spent_it_stores_nothing(
    app: Flask, link: tuple[int, str], likert: Item
) -> None:
    from survey.answering.services import LinkState, look_up, submit
    from survey.db import write_transaction

    token = link[1].rsplit("/", 1)[1]
    with app.app_context(), db.engine.connect() as connection:
        stale = look_up(connection, token)
        assert stale.state == LinkState.READY
        with write_transaction(connection):
            assert submit(connection, token, {likert.id: 4}, link=stale) == LinkState.READY
        with write_transaction(connection):
            assert submit(connection, token, {likert.id: 1}, link=stale) == LinkState.SPENT
    assert stored(app) == (1, 1)
