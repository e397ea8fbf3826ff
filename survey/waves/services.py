"""Open and close waves.  Services never commit; the view or command owns the transaction."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, delete, func, select

from survey import audit
from survey.db import DbSession
from survey.models import Invitation, Person, Survey, Wave, WaveCell, WaveItem, WaveMember
from survey.org_settings import Thresholds, current_thresholds, get_setting, group_hierarchy
from survey.service_error import ServiceError
from survey.waves.cells import CellKey
from survey.waves.design import (
    CellDesign,
    ConcurrentRule,
    Member,
    design_cells,
    recommended_secondary,
)
from survey.waves.preview import CellPreview, UnitStatus, preview, unit_lines
from survey.waves.tokens import derive_token, hash_token

TOKYO = ZoneInfo("Asia/Tokyo")


class WaveError(ServiceError):
    """Why a wave action is refused (worded by :mod:`survey.waves.messages`)."""


class WaveStatus(StrEnum):
    """Derived state of a wave on a given day."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    EXPIRED = "expired"  # past its closing date, not yet summarised
    CLOSED = "closed"


def today() -> dt.date:
    """Today's date in the organisation's time zone (Asia/Tokyo)."""
    return dt.datetime.now(TOKYO).date()


class Dated(Protocol):
    """Anything with a wave's dates and closed flag (a Wave, or a looked-up link's wave)."""

    @property
    def opens_on(self) -> dt.date: ...

    @property
    def closes_on(self) -> dt.date: ...

    @property
    def closed(self) -> bool: ...


def status(wave: Dated, on: dt.date | None = None) -> WaveStatus:
    """Where a wave stands on ``on`` (default today)."""
    on = on or today()
    if wave.closed:
        return WaveStatus.CLOSED
    if on < wave.opens_on:
        return WaveStatus.SCHEDULED
    return WaveStatus.OPEN if on <= wave.closes_on else WaveStatus.EXPIRED


@dataclass(frozen=True)
class WavePlan:
    """What an admin asks for when opening a wave."""

    label: str
    opens_on: dt.date
    closes_on: dt.date


def open_wave(
    session: DbSession, survey: Survey, plan: WavePlan, thresholds: Thresholds,
    hierarchy: list[str], token_key: str, actor: tuple[str, int | None] = ("system", None),
    *, allow_past: bool = False, secondary: Sequence[str] | None = None,
    concurrent_rule: ConcurrentRule = ConcurrentRule.MAIN,
) -> Wave:
    """Open a wave for the active roster: freeze items, k and what it reports; build cells
    and invitations.

    ``secondary`` are the non-unit attributes the wave may report (None: the recommended
    choice, see :func:`survey.waves.design.recommended_secondary`); no other attribute is
    stored with its answers.  ``allow_past`` is for the demo history only: real waves cannot
    close in the past.
    """
    _validate_plan(session, survey, plan, allow_past)
    people = active_people(session)
    if len(people) < thresholds.k:
        raise WaveError("roster_too_small")
    members = [member_of(p) for p in people]
    chosen = choose_secondary(members, hierarchy, secondary, thresholds.k)
    design, keys = design_cells(members, hierarchy, chosen, thresholds.k, concurrent_rule)
    wave = Wave(
        public_id=secrets.token_hex(16), survey=survey, label=plan.label,
        opens_on=plan.opens_on, closes_on=plan.closes_on,
        min_group_size=thresholds.k, min_comment_group_size=thresholds.k_comments,
        invited_count=len(people), cell_design=design.to_dict(),
    )
    wave.items = [WaveItem(item=e.item, position=e.position) for e in survey.entries]
    session.add(wave)
    session.flush()
    cells = _create_cells(session, wave, people, keys)
    _create_invitations(session, wave, people, cells, token_key)
    _count_joiners_and_leavers(session, wave)
    audit.record(session, "wave_opened", actor[0], actor[1], wave=wave.label, k=thresholds.k,
                 attributes=list(design.attributes))
    return wave


def active_people(session: DbSession) -> list[Person]:
    """The active roster, in a fixed order."""
    return list(session.scalars(
        select(Person).where(Person.active.is_(True)).order_by(Person.id)))


def roster_members(session: DbSession) -> list[Member]:
    """The active roster as the cell design sees it, read as distinct (attributes, posts)
    combinations with their counts: a town of 100,000 has a few thousand, so a preview or the
    open form never loads every person.  Order and identity do not matter to a design."""
    rows = session.execute(
        select(cast(Person.attributes, Text), cast(Person.concurrent, Text), func.count())
        .where(Person.active.is_(True))
        .group_by(cast(Person.attributes, Text), cast(Person.concurrent, Text)))
    members: list[Member] = []
    for attributes, posts, count in rows:
        member = Member(json.loads(attributes) if attributes else {},
                        tuple(tuple(p) for p in (json.loads(posts) if posts else None) or ()))
        members.extend([member] * count)
    return members


def member_of(person: Person) -> Member:
    """A person as the cell design sees them."""
    return Member(person.attributes, tuple(tuple(p) for p in person.concurrent or ()))


def roster_attributes(members: Sequence[Member], hierarchy: Sequence[str]) -> list[str]:
    """The roster's non-unit attributes (what a wave may choose to report), by name."""
    names = {name for m in members for name in m.attributes}
    return sorted(names - set(hierarchy))


def choose_secondary(
    members: Sequence[Member], hierarchy: Sequence[str], secondary: Sequence[str] | None, k: int
) -> list[str]:
    """The admin's choice checked against the roster, or the recommended one."""
    known = roster_attributes(members, hierarchy)
    if secondary is None:
        return recommended_secondary(members, hierarchy, known, k)
    unknown = [name for name in secondary if name not in known]
    if unknown:
        raise WaveError("unknown_attribute")
    return list(dict.fromkeys(secondary))


def organisation_rule(session: DbSession) -> ConcurrentRule:
    """Where answers of people with concurrent posts count (a setting; default: main unit)."""
    value = get_setting(session, "concurrent_rule", ConcurrentRule.MAIN.value)
    return ConcurrentRule(value) if value in set(ConcurrentRule) else ConcurrentRule.MAIN


def wave_preview(
    session: DbSession, secondary: Sequence[str] | None = None,
    rule: ConcurrentRule | None = None,
) -> CellPreview:
    """What a wave opened now would report, for the current roster (see survey.waves.preview).

    Raises :class:`WaveError` when the roster is empty or an attribute is unknown."""
    members = roster_members(session)
    k = current_thresholds(session).k
    if len(members) < k:
        raise WaveError("roster_too_small")
    hierarchy = group_hierarchy(session)
    chosen = choose_secondary(members, hierarchy, secondary, k)
    return preview(members, hierarchy, chosen, roster_attributes(members, hierarchy), k,
                   rule or organisation_rule(session))


def reportable_attributes(
    session: DbSession, recommend: bool = True
) -> tuple[list[str], list[str]]:
    """(every non-unit roster column, the recommended choice among them) for the open form;
    the recommendation (a cell design per column) only when ``recommend``."""
    members = roster_members(session)
    hierarchy = group_hierarchy(session)
    names = roster_attributes(members, hierarchy)
    if not (recommend and members):
        return names, []
    return names, recommended_secondary(members, hierarchy, names, current_thresholds(session).k)


def unit_counts(session: DbSession) -> tuple[int, int] | None:
    """(units reported as themselves, units folded into a parent) for a wave opened now, or
    None when the roster cannot open one (shown after a roster import: April's reshuffle is
    when units change)."""
    members = roster_members(session)
    k = current_thresholds(session).k
    if len(members) < k:
        return None
    units = unit_lines(members, group_hierarchy(session), k, organisation_rule(session))
    own = sum(1 for unit in units if unit.status is UnitStatus.OWN)
    return own, len(units) - own


def wave_design(wave: Wave) -> CellDesign:
    """The design a wave was opened with."""
    return CellDesign.from_dict(wave.cell_design or {})


def _validate_plan(session: DbSession, survey: Survey, plan: WavePlan, allow_past: bool) -> None:
    if not plan.label.strip() or len(plan.label) > 80:
        raise WaveError("invalid_label")
    if plan.closes_on < plan.opens_on:
        raise WaveError("closes_before_opens")
    if plan.closes_on < today() and not allow_past:
        raise WaveError("closes_in_past")
    if session.scalar(select(Wave.id).where(Wave.label == plan.label)) is not None:
        raise WaveError("label_taken")
    if not survey.entries:
        raise WaveError("survey_empty")


def _create_cells(
    session: DbSession, wave: Wave, people: list[Person], keys: list[CellKey]
) -> list[WaveCell]:
    sizes = Counter(keys)
    by_key: dict[CellKey, WaveCell] = {}
    for key in sorted(sizes):
        by_key[key] = WaveCell(wave_id=wave.id, key=dict(key), invited=sizes[key])
        session.add(by_key[key])
    session.flush()
    members = [WaveMember(wave_id=wave.id, person_id=p.id, cell_id=by_key[key].id)
               for p, key in zip(people, keys, strict=True)]
    session.add_all(members)
    return [by_key[key] for key in keys]


def _create_invitations(
    session: DbSession, wave: Wave, people: list[Person], cells: list[WaveCell], token_key: str
) -> None:
    rows = [
        {"token_hash": hash_token(derive_token(token_key, wave.public_id, p.employee_id)),
         "wave_id": wave.id, "cell_id": cell.id, "spent": False}
        for p, cell in zip(people, cells, strict=True)
    ]
    # Shuffled so that neither insertion order nor rowid follows the roster.
    random.SystemRandom().shuffle(rows)
    session.execute(Invitation.__table__.insert(), rows)


def _count_joiners_and_leavers(session: DbSession, wave: Wave) -> None:
    previous = previous_wave(session, wave)
    if previous is None:
        return
    before = _members_by_cell_key(session, previous)
    after = _members_by_cell_key(session, wave)
    for cell in session.scalars(select(WaveCell).where(WaveCell.wave_id == wave.id)):
        key = tuple(sorted(cell.key.items()))
        cell.joined = len(after.get(key, set()) - before.get(key, set()))
        cell.left = len(before.get(key, set()) - after.get(key, set()))


def _members_by_cell_key(session: DbSession, wave: Wave) -> dict[tuple, set[int]]:
    rows = session.execute(
        select(WaveCell.key, WaveMember.person_id)
        .join(WaveMember, WaveMember.cell_id == WaveCell.id)
        .where(WaveMember.wave_id == wave.id)
    )
    grouped: dict[tuple, set[int]] = {}
    for key, person_id in rows:
        grouped.setdefault(tuple(sorted(key.items())), set()).add(person_id)
    return grouped


def previous_wave(session: DbSession, wave: Wave) -> Wave | None:
    """The wave of the same survey opened just before this one."""
    return session.scalar(
        select(Wave).where(Wave.survey_id == wave.survey_id, Wave.id != wave.id,
                           Wave.opens_on <= wave.opens_on)
        .order_by(Wave.opens_on.desc(), Wave.id.desc()).limit(1)
    )


def invitation_links(
    session: DbSession, wave: Wave, token_key: str, base_url: str
) -> list[tuple[str, str]]:
    """(email, link) for every invitee of an open wave, recomputed from the token key.

    Lists everyone invited, never who has answered.
    """
    if status(wave) in (WaveStatus.CLOSED, WaveStatus.EXPIRED):
        raise WaveError("wave_not_open")
    people = session.scalars(
        select(Person).join(WaveMember, WaveMember.person_id == Person.id)
        .where(WaveMember.wave_id == wave.id).order_by(Person.employee_id)
    )
    root = base_url.rstrip("/")
    return [(p.email, f"{root}/s/{derive_token(token_key, wave.public_id, p.employee_id)}")
            for p in people]


def reminder_links(
    session: DbSession, wave: Wave, token_key: str, base_url: str
) -> list[tuple[str, str]]:
    """(email, link) of invitees whose link is unspent — for the system's own reminder mail.

    Only :func:`survey.waves.mail.send_reminders` may use this: no page, command output or
    export ever lists it (docs/anonymity.md, "participation").
    """
    links = invitation_links(session, wave, token_key, base_url)
    unspent = set(session.scalars(select(Invitation.token_hash).where(
        Invitation.wave_id == wave.id, Invitation.spent.is_(False))))
    return [(email, link) for email, link in links
            if hash_token(link.rsplit("/", 1)[1]) in unspent]


def response_count(session: DbSession, wave: Wave) -> int:
    """How many invitations of the wave are spent (while open) or the frozen count (closed)."""
    if wave.closed:
        return wave.responded_count
    return session.scalar(
        select(func.count()).select_from(Invitation)
        .where(Invitation.wave_id == wave.id, Invitation.spent.is_(True))
    ) or 0


def forget_invitations(session: DbSession, wave: Wave) -> None:
    """Delete a closing wave's invitations: after close nobody can learn who took part."""
    wave.responded_count = response_count(session, wave)
    session.flush()  # keep the count before the invitations it was counted from are gone
    session.execute(delete(Invitation).where(Invitation.wave_id == wave.id))


def published_waves(session: DbSession) -> list[Wave]:
    """Closed waves whose report has been published, newest publication first."""
    return list(session.scalars(select(Wave).where(
        Wave.closed.is_(True), Wave.results_published_at.is_not(None))
        .order_by(Wave.results_published_at.desc(), Wave.id.desc())))
