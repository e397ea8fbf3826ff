"""Linkage attack on stored responses: who answered what, from hidden storage metadata.

The attacker holds everything after a wave closes: the database (every column and hidden
one — SQLite ``rowid`` where it exists, physical row order, the raw bytes of the database
file and its ``-wal`` file in page order; PostgreSQL ``xmin`` and ``ctid``), the roster, and
the true order in which people answered (say, from mail-server logs). For every order they
can recover they match the j-th response of a cell to the j-th person of that cell who
answered. Against naranu the matches must be no better than chance; against a naive table
with autoincrement ids, built here, the same attack must win — so the test can fail.

The answers carry a fingerprint (a comment) only so that the test knows the truth.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from scipy import stats
from sqlalchemy import select, text

from survey.answering.services import submit, wave_items
from survey.db import begin_write, db
from survey.models import Answer, Invitation, ItemKind, Person, Response, Wave, WaveMember
from survey.waves.closing import close_wave, compact_storage
from survey.waves.tokens import derive_token, hash_token
from tests.conftest import TOKEN_KEY

WAVES = 3
STAFF = 40
ALPHA = 1e-4  # per test; the naive design reaches p < 1e-20
HEX32 = re.compile(rb"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


@dataclass
class Truth:
    """What the test knows: each response's person and arrival rank, and each cell's arrivals."""

    rank_of_response: dict[str, int]  # response id (hex) -> arrival rank
    cell_of_response: dict[str, int]
    token_hashes: set[str]


def fingerprint(wave: int, rank: int) -> str:
    return f"fp-{wave}-{rank:04d}"


def answer_wave(app: Flask, wave_id: int, links: list[str], number: int,
                rng: random.Random) -> list[str]:
    """People answer in a known random order; returns the token hashes of the wave."""
    tokens = [link.rsplit("/", 1)[1] for link in links]
    arriving = rng.sample(range(len(tokens)), k=int(len(tokens) * 0.8))
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        items = wave_items(db.session, wave)
        db.session.rollback()
        for rank, person in enumerate(arriving):
            answers: dict[int, int | str] = {
                i.id: (fingerprint(number, rank) if i.kind == ItemKind.COMMENT
                       else rng.randint(0, 10) if i.kind == ItemKind.NPS11 else rng.randint(1, 5))
                for i in items}
            begin_write(db.session)
            assert submit(db.session, tokens[person], answers).value == "ready"
            db.session.commit()
    return [hash_token(t) for t in tokens]


def close(app: Flask, wave_id: int) -> None:
    with app.app_context():
        begin_write(db.session)
        close_wave(db.session, db.session.get(Wave, wave_id))
        db.session.commit()
        compact_storage(db.engine)


def truth_of(app: Flask, wave_id: int, number: int) -> dict[str, tuple[int, int]]:
    """Response id hex -> (arrival rank, cell id), read through the fingerprints."""
    with app.app_context():
        rows = db.session.execute(
            select(Response.id, Response.cell_id, Answer.text)
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.wave_id == wave_id, Answer.text.is_not(None))).all()
    prefix = f"fp-{number}-"
    return {rid.hex: (int(t.removeprefix(prefix)), cell) for rid, cell, t in rows}


# -- what the attacker can recover -----------------------------------------------------------

def recovered_orders(app: Flask, wave_id: int, ids: set[str]) -> dict[str, list[str]]:
    """Every order of the wave's response ids the attacker can read from storage."""
    with app.app_context():
        engine = db.engine
        orders: dict[str, list[str]] = {}
        with engine.connect() as con:
            physical = con.execute(text("SELECT id FROM response WHERE wave_id = :w"),
                                   {"w": wave_id}).scalars().all()
            orders["physical order of response"] = [_hex(v) for v in physical]
            answer_rows = con.execute(text("SELECT response_id FROM answer")).scalars().all()
            orders["physical order of answer"] = _first_seen(_hex(v) for v in answer_rows)
            if engine.dialect.name == "sqlite":
                orders.update(_sqlite_orders(con, wave_id, Path(engine.url.database or "")))
            else:
                orders.update(_postgres_orders(con, wave_id))
    return {name: [i for i in order if i in ids] for name, order in orders.items()}


def _hex(value: object) -> str:
    return value.hex if hasattr(value, "hex") and not isinstance(value, bytes | str) else \
        str(value).replace("-", "")


def _first_seen(values) -> list[str]:
    return list(dict.fromkeys(values))


def _sqlite_orders(con, wave_id: int, path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    try:
        rows = con.execute(text("SELECT id, rowid FROM response WHERE wave_id = :w"),
                           {"w": wave_id}).all()
        out["rowid"] = [_hex(i) for i, _r in sorted(rows, key=lambda r: r[1])]
    except Exception:  # WITHOUT ROWID: there is no rowid to read
        con.rollback()
    for suffix in ("", "-wal"):
        data = _read(path.with_name(path.name + suffix))
        out[f"bytes of file{suffix or ''}"] = _first_seen(
            m.group().decode() for m in HEX32.finditer(data))
    return out


def _postgres_orders(con, wave_id: int) -> dict[str, list[str]]:
    rows = con.execute(text("SELECT id, xmin::text::bigint, ctid::text FROM response "
                            "WHERE wave_id = :w"), {"w": wave_id}).all()

    def ctid(value: str) -> tuple[int, int]:
        page, item = value.strip("()").split(",")
        return int(page), int(item)

    return {"xmin": [_hex(r[0]) for r in sorted(rows, key=lambda r: (r[1], str(r[0])))],
            "ctid": [_hex(r[0]) for r in sorted(rows, key=lambda r: ctid(r[2]))]}


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


# -- the attack ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    rho: float
    rho_p: float
    matched: int
    responses: int
    chance: float  # expected matches by chance (one per non-empty cell)
    match_p: float


def attack(order: list[str], truth: dict[str, tuple[int, int]]) -> Outcome:
    """Rank correlation with the true order and within-cell matching by recovered order."""
    ranks = [truth[i][0] for i in order]
    if len(set(ranks)) < 2 or len(order) < 3:
        rho, rho_p = 0.0, 1.0
    else:
        result = stats.spearmanr(range(len(ranks)), ranks)
        rho = 0.0 if math.isnan(result.statistic) else float(result.statistic)
        rho_p = 1.0 if math.isnan(result.pvalue) else float(result.pvalue)
    recovered: dict[int, list[str]] = defaultdict(list)
    for rid in order:
        recovered[truth[rid][1]].append(rid)
    arrived: dict[int, list[int]] = defaultdict(list)
    for rank, cell in sorted(truth.values()):
        arrived[cell].append(rank)
    matched = sum(truth[rid][0] == arrived[cell][j]
                  for cell, ids in recovered.items() for j, rid in enumerate(ids))
    chance = float(len(recovered))
    return Outcome(rho, rho_p, matched, len(order), chance,
                   float(stats.poisson.sf(matched - 1, chance)))


def simulate(app: Flask, open_wave: Callable[..., tuple[int, list[str]]],
             make_roster: Callable[..., int]) -> tuple[list[int], list[dict], list[list[str]]]:
    rng = random.Random(20260401)
    make_roster(count=STAFF)
    waves, truths, hashes = [], [], []
    for number in range(WAVES):
        wave_id, links = open_wave(label=f"linkage-{number}", roster=False)
        hashes.append(answer_wave(app, wave_id, links, number, rng))
        truths.append(truth_of(app, wave_id, number))  # read before close: ids change at close
        close(app, wave_id)
        truths[-1] = truth_of(app, wave_id, number)
        waves.append(wave_id)
    return waves, truths, hashes


def test_no_recoverable_order_links_responses_to_people(app: Flask, open_wave, make_roster,
                                                        capsys) -> None:
    waves, truths, _hashes = simulate(app, open_wave, make_roster)
    total_matched = total_responses = 0
    for wave_id, truth in zip(waves, truths, strict=True):
        orders = recovered_orders(app, wave_id, set(truth))
        assert "physical order of response" in orders
        assert "rowid" not in orders, "response must have no rowid (WITHOUT ROWID)"
        for name, order in orders.items():
            if not order:
                continue
            assert set(order) <= set(truth)
            outcome = attack(order, truth)
            total_matched += outcome.matched
            total_responses += outcome.responses
            with capsys.disabled():
                print(f"\n[ours] wave {wave_id} {name}: rho={outcome.rho:+.2f} "
                      f"matched {outcome.matched}/{outcome.responses} (chance {outcome.chance})")
            assert outcome.rho_p > ALPHA, (name, outcome)
            assert outcome.match_p > ALPHA, (name, outcome)
    assert total_responses > 0


def test_no_leftover_ids_or_invitation_hashes_in_the_files(app: Flask, open_wave, make_roster
                                                           ) -> None:
    _waves, truths, hashes = simulate(app, open_wave, make_roster)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("raw files are SQLite's; PostgreSQL relies on VACUUM FULL")
        path = Path(db.engine.url.database or "")
        public = {w.public_id for w in db.session.scalars(select(Wave))}
    data = _read(path) + _read(path.with_name(path.name + "-wal"))
    current = set().union(*(set(t) for t in truths))
    found = {m.group().decode() for m in HEX32.finditer(data)}
    leftovers = found - current - public
    assert not leftovers, f"{len(leftovers)} old response ids survive in the files"
    for token_hash in (h for wave in hashes for h in wave):
        assert token_hash.encode() not in data, "a closed wave's invitation hash survives"


def test_the_same_attack_wins_against_a_naive_design(app: Flask) -> None:
    rng = random.Random(7)
    people = list(range(40))
    cells = {p: p % 4 for p in people}
    arriving = rng.sample(people, 32)
    with app.app_context(), db.engine.begin() as con:
        serial = ("INTEGER PRIMARY KEY AUTOINCREMENT" if db.engine.dialect.name == "sqlite"
                  else "SERIAL PRIMARY KEY")
        con.execute(text(f"CREATE TABLE naive_response (id {serial}, cell INTEGER, fp TEXT)"))
        for rank, person in enumerate(arriving):
            con.execute(text("INSERT INTO naive_response (cell, fp) VALUES (:c, :f)"),
                        {"c": cells[person], "f": str(rank)})
        rows = con.execute(text("SELECT id, cell, fp FROM naive_response")).all()
        con.execute(text("DROP TABLE naive_response"))
    truth = {str(i): (int(fp), cell) for i, cell, fp in rows}
    outcome = attack([str(i) for i, _c, _f in sorted(rows)], truth)
    print(f"\n[naive] autoincrement id: rho={outcome.rho:+.2f} "
          f"matched {outcome.matched}/{outcome.responses} (chance {outcome.chance})")
    assert outcome.rho > 0.99
    assert outcome.matched == outcome.responses
    assert outcome.match_p < ALPHA


# -- participation: invitations ---------------------------------------------------------------

def test_participation_needs_the_token_key(app: Flask, open_wave, make_roster) -> None:
    rng = random.Random(11)
    make_roster(count=STAFF)
    wave_id, links = open_wave(label="participation", roster=False)
    answer_wave(app, wave_id, links, 9, rng)
    with app.app_context():
        columns = {c.name for c in Invitation.__table__.columns}
        assert columns == {"token_hash", "wave_id", "cell_id", "spent"}
        wave = db.session.get(Wave, wave_id)
        roster = db.session.execute(
            select(Person.employee_id, WaveMember.cell_id)
            .join(WaveMember, WaveMember.person_id == Person.id)
            .where(WaveMember.wave_id == wave_id).order_by(Person.id)).all()
        with db.engine.connect() as con:
            stored = con.execute(text("SELECT token_hash, cell_id, spent FROM invitation "
                                      "WHERE wave_id = :w"), {"w": wave_id}).all()
        spent = {h: bool(s) for h, _c, s in stored}
        truth = [spent[hash_token(derive_token(TOKEN_KEY, wave.public_id, e))] for e, _c in roster]
        # Without the key: the i-th stored invitation of a cell is the i-th person of that cell.
        guess = _guess_by_order(roster, stored)
        with_key = [spent[hash_token(derive_token(TOKEN_KEY, wave.public_id, e))]
                    for e, _c in roster]
    table = [[sum(g and t for g, t in zip(guess, truth, strict=True)),
              sum(g and not t for g, t in zip(guess, truth, strict=True))],
             [sum(not g and t for g, t in zip(guess, truth, strict=True)),
              sum(not g and not t for g, t in zip(guess, truth, strict=True))]]
    assert stats.fisher_exact(table, alternative="greater").pvalue > ALPHA, table
    assert with_key == truth  # the documented limit: with the key, participation is known
    close(app, wave_id)
    with app.app_context():
        left = db.session.scalar(select(Invitation.token_hash).where(
            Invitation.wave_id == wave_id))
        assert left is None, "invitations must be deleted at close"


def _guess_by_order(roster, stored) -> list[bool]:
    by_cell: dict[int, list[bool]] = defaultdict(list)
    for _hash, cell, spent in stored:
        by_cell[cell].append(bool(spent))
    seen: dict[int, int] = defaultdict(int)
    guess = []
    for _employee, cell in roster:
        guess.append(by_cell[cell][seen[cell]])
        seen[cell] += 1
    return guess
