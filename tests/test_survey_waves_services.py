"""Opening and closing waves on a real database: frozen items and k, invitations, unlinkability."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from survey.answering.services import submit
from survey.db import begin_write
from survey.models import (
    Answer,
    AuditEvent,
    Invitation,
    Person,
    Response,
    StoredAggregate,
    Survey,
    Wave,
    WaveCell,
    WaveItem,
)
from survey.org_settings import Thresholds, put_setting
from survey.principles.services import add_item, survey_by_name
from survey.waves.closing import close_wave
from survey.waves.services import (
    WaveError,
    WavePlan,
    invitation_links,
    open_wave,
    response_count,
    status,
    today,
)
from survey.waves.tokens import derive_token, hash_token
from tests.conftest import TOKEN_KEY, roster_rows

BASE = "http://survey.example"
K5 = Thresholds(k=5, k_comments=10)


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


def answer(session: Session, wave: Wave, paths: list[str], count: int) -> None:
    """Answer the first question through the real service for ``count`` links."""
    first = wave.items[0].item
    for path in paths[:count]:
        begin_write(session)
        assert str(submit(session, token_of(path), {first.id: 4})) == "ready"
        session.commit()


def plan(label: str = "W", days: int = 14, start: int = 0) -> WavePlan:
    opens = today() + dt.timedelta(days=start)
    return WavePlan(label, opens, opens + dt.timedelta(days=days))


def count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- opening -----------------------------------------------------------------------------------


def test_open_freezes_items_and_thresholds(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, _links = open_wave()
    wave = session.get(Wave, wave_id)
    survey = survey_by_name(session, None)
    asked = [entry.item_id for entry in wave.items]
    assert asked == [entry.item_id for entry in survey.entries]
    assert (wave.min_group_size, wave.min_comment_group_size) == (5, 10)

    begin_write(session)
    add_item(session, survey, None, "comment", "追加の質問", "Extra question")
    put_setting(session, "min_group_size", 8)
    put_setting(session, "min_comment_group_size", 12)
    session.commit()
    session.expire_all()
    wave = session.get(Wave, wave_id)
    assert [entry.item_id for entry in wave.items] == asked
    assert (wave.min_group_size, wave.min_comment_group_size) == (5, 10)


def test_one_invitation_per_active_person_and_cells_add_up(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    wave = session.get(Wave, wave_id)
    assert wave.invited_count == 30 == len(links)
    assert count(session, Invitation, Invitation.wave_id == wave_id) == 30
    cells = session.scalars(select(WaveCell).where(WaveCell.wave_id == wave_id)).all()
    assert sum(cell.invited for cell in cells) == 30
    assert all(cell.invited >= wave.min_group_size for cell in cells)


def test_storage_of_invitations_and_responses_has_no_person_or_time() -> None:
    assert set(Invitation.__table__.columns.keys()) == {"token_hash", "wave_id", "cell_id", "spent"}
    assert set(Response.__table__.columns.keys()) == {"id", "wave_id", "cell_id"}
    assert set(Answer.__table__.columns.keys()) == {"response_id", "item_id", "value", "text"}


def test_tokens_are_derived_per_person_and_only_their_hashes_are_stored(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    wave = session.get(Wave, wave_id)
    people = session.scalars(select(Person).where(Person.active.is_(True))).all()
    expected = {hash_token(derive_token(TOKEN_KEY, wave.public_id, p.employee_id)) for p in people}
    stored = set(session.scalars(select(Invitation.token_hash).where(
        Invitation.wave_id == wave_id)))
    assert stored == expected
    tokens = [token_of(link) for link in links]
    assert {hash_token(token) for token in tokens} == stored
    assert all(len(token) == 43 for token in tokens)  # 43 base64url characters = 256 bits ≥ 128
    dump = "".join(str(row) for row in session.execute(text("SELECT * FROM invitation")))
    assert not any(token in dump for token in tokens)


def test_invitations_are_not_stored_in_roster_order(
    app: Flask, session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster(count=200)
    begin_write(session)
    wave = open_wave(session, survey_by_name(session, None), plan(), K5, [], TOKEN_KEY)
    session.commit()
    roster = session.scalars(select(Person).order_by(Person.id)).all()
    roster_order = [hash_token(derive_token(TOKEN_KEY, wave.public_id, p.employee_id))
                    for p in roster]
    stored_order = list(session.scalars(text("SELECT token_hash FROM invitation")))
    assert sorted(stored_order) == sorted(roster_order)
    assert stored_order != roster_order
    if session.get_bind().dialect.name == "sqlite":
        ddl = session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'invitation'"))
        assert "WITHOUT ROWID" in ddl.upper()


def test_joiners_and_leavers_are_counted_against_the_previous_wave(
    session: Session, make_roster: Callable[..., int]
) -> None:
    rows = roster_rows(30, departments=("税務課",))
    make_roster(rows)
    survey = survey_by_name(session, None)
    begin_write(session)
    open_wave(session, survey, plan("first"), K5, [], TOKEN_KEY)
    session.commit()
    make_roster(rows[4:] + roster_rows(36, departments=("税務課",))[30:])  # 4 leave, 6 join
    begin_write(session)
    second = open_wave(session, survey, plan("second", start=1), K5, [], TOKEN_KEY)
    session.commit()
    cells = session.scalars(select(WaveCell).where(WaveCell.wave_id == second.id)).all()
    assert sum(cell.joined for cell in cells) == 6
    assert sum(cell.left for cell in cells) == 4
    assert second.invited_count == 32


@pytest.mark.parametrize(("wave_plan", "code"), [
    (WavePlan(" ", today(), today()), "invalid_label"),
    (WavePlan("x" * 81, today(), today()), "invalid_label"),
    (WavePlan("W", today(), today() - dt.timedelta(days=1)), "closes_before_opens"),
    (WavePlan("W", today() - dt.timedelta(days=9), today() - dt.timedelta(days=2)),
     "closes_in_past"),
])
def test_open_refuses_bad_plans(
    session: Session, make_roster: Callable[..., int], wave_plan: WavePlan, code: str
) -> None:
    make_roster()
    with pytest.raises(WaveError, match=code):
        open_wave(session, survey_by_name(session, None), wave_plan, K5, [], TOKEN_KEY)


def test_open_refuses_a_taken_label_an_empty_survey_and_a_tiny_roster(
    session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster(count=4)
    survey = survey_by_name(session, None)
    with pytest.raises(WaveError, match="roster_too_small"):
        open_wave(session, survey, plan(), K5, [], TOKEN_KEY)
    make_roster(count=30)
    begin_write(session)
    open_wave(session, survey, plan("taken"), K5, [], TOKEN_KEY)
    session.commit()
    with pytest.raises(WaveError, match="label_taken"):
        open_wave(session, survey, plan("taken"), K5, [], TOKEN_KEY)
    empty = Survey(name="empty", title_ja="空", title_en="Empty")
    session.add(empty)
    with pytest.raises(WaveError, match="survey_empty"):
        open_wave(session, empty, plan("other"), K5, [], TOKEN_KEY)


def test_opening_is_logged_publicly_with_k(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    open_wave("2026-04")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "wave_opened"))
    assert event.public
    assert event.detail == {"wave": "2026-04", "k": 5, "attributes": ["department"]}


# --- invitation links --------------------------------------------------------------------------


def test_invitation_links_list_everyone_and_never_who_answered(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    wave = session.get(Wave, wave_id)
    before = invitation_links(session, wave, TOKEN_KEY, BASE)
    answer(session, wave, links, 7)
    after = invitation_links(session, wave, TOKEN_KEY, BASE)
    assert after == before
    assert len(after) == 30 and all(len(row) == 2 for row in after)
    assert {email for email, _link in after} == {r["email"] for r in roster_rows(30)}
    assert response_count(session, wave) == 7


def test_invitation_links_are_refused_after_the_closing_date(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, _links = open_wave()
    begin_write(session)
    session.execute(update(Wave).where(Wave.id == wave_id).values(
        opens_on=today() - dt.timedelta(days=20), closes_on=today() - dt.timedelta(days=1)))
    session.commit()
    wave = session.get(Wave, wave_id)
    assert status(wave) == "expired"
    with pytest.raises(WaveError, match="wave_not_open"):
        invitation_links(session, wave, TOKEN_KEY, BASE)


# --- closing -----------------------------------------------------------------------------------


def test_close_forgets_invitations_rewrites_responses_and_stores_aggregates(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    wave = session.get(Wave, wave_id)
    answer(session, wave, links, 12)
    old_ids = set(session.scalars(select(Response.id).where(Response.wave_id == wave_id)))
    old_cells = sorted(session.scalars(select(Response.cell_id).where(Response.wave_id == wave_id)))

    begin_write(session)
    close_wave(session, wave)
    session.commit()
    session.expire_all()

    wave = session.get(Wave, wave_id)
    assert wave.closed and status(wave) == "closed" and wave.responded_count == 12
    assert count(session, Invitation, Invitation.wave_id == wave_id) == 0
    new_ids = set(session.scalars(select(Response.id).where(Response.wave_id == wave_id)))
    assert len(new_ids) == 12 and not new_ids & old_ids
    assert sorted(session.scalars(
        select(Response.cell_id).where(Response.wave_id == wave_id))) == old_cells
    assert count(session, Answer, Answer.response_id.in_(new_ids)) == 12
    aggregates = session.scalars(
        select(StoredAggregate).where(StoredAggregate.wave_id == wave_id)).all()
    cells = session.scalars(select(WaveCell.id).where(WaveCell.wave_id == wave_id)).all()
    assert {a.cell_id for a in aggregates} == set(cells)
    assert sum(a.responses for a in aggregates) == 12
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["wave_opened", "wave_closed"]


def test_closed_links_no_longer_exist_and_closing_twice_is_refused(
    session: Session, open_wave: Callable[..., Any]
) -> None:
    wave_id, links = open_wave()
    wave = session.get(Wave, wave_id)
    begin_write(session)
    close_wave(session, wave)
    session.commit()
    assert session.get(Invitation, hash_token(token_of(links[0]))) is None
    with pytest.raises(WaveError, match="wave_already_closed"):
        close_wave(session, wave)


def test_a_wave_that_has_not_started_cannot_be_closed(
    session: Session, make_roster: Callable[..., int]
) -> None:
    make_roster()
    begin_write(session)
    wave = open_wave(session, survey_by_name(session, None), plan(start=3), K5, [], TOKEN_KEY)
    session.commit()
    assert status(wave) == "scheduled"
    with pytest.raises(WaveError, match="wave_not_started"):
        close_wave(session, wave)
    assert session.get(Wave, wave.id).closed is False
    assert count(session, WaveItem, WaveItem.wave_id == wave.id) > 0


def test_the_roster_read_by_combination_designs_the_same_cells(
    session: Session, make_roster: Callable[..., Any]
) -> None:
    """The preview and the open form read the roster grouped by attribute combination; the
    design must be the one a wave opened from every person gets."""
    from survey.waves.design import design_cells
    from survey.waves.services import active_people, member_of, roster_members

    rows = roster_rows(40)
    rows[0]["tenure_band"] = ""  # an empty value is a combination of its own
    make_roster(rows)
    grouped = roster_members(session)
    one_by_one = [member_of(p) for p in active_people(session)]
    assert len(grouped) == len(one_by_one) == 40
    expected_design, expected_keys = design_cells(one_by_one, ["department"], ["tenure_band"], 5)
    design, keys = design_cells(grouped, ["department"], ["tenure_band"], 5)
    assert design == expected_design and sorted(keys) == sorted(expected_keys)
