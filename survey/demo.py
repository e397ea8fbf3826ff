"""``seed-demo``: a realistic synthetic history through the same code paths as real answers.

A town hall shaped like a real personnel file: 課 with one 課長 each and 係 of a few people
with a 係長, role, tenure and employment columns, staff joining and leaving, an April reshuffle,
a cross-departmental DX office with two members from outside, and eight quarterly waves with
about 70% participation; 失敗を責めてはなりませぬ improves after a logged action,
できない理由を並べてはなりませぬ slips, the others drift.  Answers go through
``survey.answering.services.submit`` and waves close through ``close_wave``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.answering.services import submit
from survey.auth.services import create_user
from survey.db import DbSession, begin_write, db
from survey.models import Item, ItemKind, Principle, User, Wave
from survey.org_settings import current_thresholds, group_hierarchy
from survey.plans.models import ActionPlan, PlanStatus, PlanUpdate
from survey.principles.services import seed_default_template
from survey.roster.parsing import generated_id
from survey.roster.services import import_roster
from survey.units.paths import unit_key
from survey.waves.closing import close_wave, compact_storage
from survey.waves.services import WavePlan, open_wave, today
from survey.waves.tokens import derive_token

if TYPE_CHECKING:
    import numpy as np

#: The town's units (課) and their 係; the first person of a unit in a wave is its 課長, who belongs
#: to the 課 itself, and the first of each 係 is its 係長 (as in a real personnel file).
UNITS: dict[str, tuple[str, ...]] = {
    "総務課": ("庶務係", "人事係", "財政係"),
    "企画課": ("企画係", "広報係"),
    "税務課": ("課税係", "収納係"),
    "住民課": ("住民係", "戸籍係"),
    "福祉課": ("福祉係", "介護係", "子育て係"),
    "産業課": ("農林係", "商工観光係"),
    "建設課": ("土木係", "上下水道係"),
    "教育課": ("学校教育係", "生涯学習係"),
}
DEPARTMENTS = tuple(UNITS)
#: A cross-departmental office: a few staff of its own, two members from outside, and staff of
#: other units who hold a concurrent post (兼務) there.
DX_OFFICE = "デジタル変革戦略室"
HIERARCHY = ["department", "team"]
TENURE_BANDS = ("0-4年", "5-14年", "15年以上")
#: The demo's waves report tenure as the administrator's explicit choice: it speaks for only
#: part of the town (small 係 keep their people in the 課's cell), which is what the report's
#: coverage line is there to show; it is not what a new wave would recommend by itself.
DEMO_BREAKDOWNS = ("tenure_band",)
#: Change in latent score per wave, by principle code (positive = improving).
DRIFT = {"citizen": 0.04, "no-excuses": -0.05, "no-blame": 0.02, "evidence": 0.0}
COMMENTS = (
    "失敗を報告しやすくなったと感じます。",
    "前例がないという理由で止まる案件がまだ多いです。",
    "窓口の手続きを町民目線で見直せたのは良かった。",
    "データを見て判断する場面が増えてきた。",
    "会議で「どうすればできるか」から話す人が増えた。",
    "忙しくて振り返りの時間が取れていません。",
)


@dataclass(frozen=True)
class DemoSpec:
    """Size and randomness of the demo organisation."""

    staff: int = 150
    waves: int = 8
    seed: int = 1
    participation: float = 0.7


def quarterly_dates(count: int, until: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(opens, closes) for ``count`` waves in the middle month of consecutive quarters."""
    last_open = dt.date(until.year, until.month, 1)
    if until.day <= 15:
        last_open = (last_open - dt.timedelta(days=1)).replace(day=1)
    month_index = last_open.year * 12 + last_open.month - 1
    month_index -= (month_index - 1) % 3  # the middle month of a fiscal quarter starting in April
    dates = []
    for back in range(count - 1, -1, -1):
        index = month_index - 3 * back
        opens = dt.date(index // 12, index % 12 + 1, 1)
        dates.append((opens, opens + dt.timedelta(days=13)))
    return dates


def demo_roster(spec: DemoSpec, wave: int) -> list[dict[str, str]]:
    """The roster at a wave: about 4% turnover per quarter, units of uneven size, one 課長 per
    unit, 係長 per 係, an April reshuffle moving about one in ten, and the DX office."""
    import numpy as np  # the demo only: not at every command's start-up

    weights = np.linspace(1.6, 0.5, len(DEPARTMENTS))
    weights /= weights.sum()
    fiscal_year = wave // 4
    rows = []
    for number in range(wave * spec.staff // 25, wave * spec.staff // 25 + spec.staff):
        local = np.random.default_rng(spec.seed * 1_000_003 + number)
        department = str(local.choice(DEPARTMENTS, p=weights))
        section = str(local.choice(UNITS[department]))
        moved = np.random.default_rng([spec.seed, number, fiscal_year])
        if fiscal_year and moved.random() < 0.1:  # the April personnel reshuffle
            department = str(moved.choice(DEPARTMENTS))
            section = str(moved.choice(UNITS[department]))
        if spec.staff >= 40 and number % 37 == 7:
            department, section = DX_OFFICE, ""
        rows.append({
            "employee_id": f"D{number:06d}",
            "email": f"staff{number:06d}@town.example.jp",
            "department": department, "team": section,
            "tenure_band": TENURE_BANDS[(number // 2) % 3],
            "employment": "会計年度任用" if number % 9 == 4 else "正規",
            "concurrent_units": DX_OFFICE if spec.staff >= 40 and number % 29 == 3 else "",
        })
    if spec.staff >= 40:
        rows += _outside_members()
    return _with_roles(rows)


def _outside_members() -> list[dict[str, str]]:
    """Two side-job specialists from the private sector (複業人材) in the DX office; they have
    no employee number, so the import gives them a stable one made from their e-mail."""
    return [{"employee_id": "", "email": f"specialist{n}@partner.example.jp",
             "department": DX_OFFICE, "team": "", "tenure_band": TENURE_BANDS[0],
             "employment": "複業人材", "concurrent_units": ""} for n in (1, 2)]


def _with_roles(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """課長 = the longest-serving (lowest number) of each unit, who belongs to no 係; 係長 =
    the longest-serving of each 係; everyone else 一般."""
    heads: set[str] = set()
    chiefs: set[tuple[str, str]] = set()
    for row in sorted(rows, key=lambda r: r["employee_id"] or r["email"]):
        if row["department"] not in heads:
            heads.add(row["department"])
            row.update(role="課長", team="")
        elif row["team"] and (row["department"], row["team"]) not in chiefs:
            chiefs.add((row["department"], row["team"]))
            row["role"] = "係長"
        else:
            row["role"] = "一般"
    return rows


def _answers(
    items: list[Item], codes: dict[int, str], wave_index: int, rng: np.random.Generator,
    department_effect: float,
) -> dict[int, int | str]:
    answers: dict[int, int | str] = {}
    person = rng.normal(0, 0.6)
    for item in items:
        if item.kind == ItemKind.COMMENT:
            if rng.random() < 0.08:
                answers[item.id] = str(rng.choice(COMMENTS))
            continue
        if rng.random() < 0.04:  # a skipped question
            continue
        drift = DRIFT.get(codes.get(item.principle_id or 0, ""), 0.0) * wave_index
        boost = 0.35 if codes.get(item.principle_id or 0) == "no-blame" and wave_index >= 4 else 0
        latent = 3.1 + person + department_effect + drift + boost + rng.normal(0, 0.7)
        if item.kind == ItemKind.NPS11:
            answers[item.id] = min(max(round(2 * latent + rng.normal(0, 1)), 0), 10)
        else:
            value = min(max(round(latent), 1), 5)
            answers[item.id] = 6 - value if item.reverse else value
    return answers


def seed_demo(session: DbSession, spec: DemoSpec, token_key: str) -> list[Wave]:
    """Build the demo organisation's history; commits wave by wave."""
    import numpy as np  # the demo only: not at every command's start-up

    rng = np.random.default_rng(spec.seed)
    begin_write(session)
    survey = seed_default_template(session)
    session.commit()
    codes = {p.id: p.code for p in session.scalars(select(Principle))}
    effects = {name: rng.normal(0, 0.25) for name in (*DEPARTMENTS, DX_OFFICE)}
    waves = []
    for index, (opens, closes) in enumerate(quarterly_dates(spec.waves, today())):
        begin_write(session)
        import_roster(session, demo_roster(spec, index), hierarchy=HIERARCHY)
        wave = open_wave(session, survey, WavePlan(f"{opens:%Y-%m} pulse", opens, closes),
                         current_thresholds(session), group_hierarchy(session), token_key,
                         allow_past=True, secondary=DEMO_BREAKDOWNS)
        _answer_wave(session, wave, spec, index, rng, codes, effects, token_key)
        if index == 3:
            _start_plans(session, closes + dt.timedelta(days=20))
        close_wave(session, wave)
        session.commit()
        waves.append(wave)
    return waves


def _answer_wave(
    session: DbSession, wave: Wave, spec: DemoSpec, index: int, rng: np.random.Generator,
    codes: dict[int, str], effects: dict[str, float], token_key: str,
) -> None:
    items = [entry.item for entry in wave.items]
    answer_day = wave.opens_on + dt.timedelta(days=3)
    for row in demo_roster(spec, index):
        if rng.random() >= spec.participation:
            continue
        person_id = row["employee_id"] or generated_id(row["email"])
        token = derive_token(token_key, wave.public_id, person_id)
        answers = _answers(items, codes, index, rng, effects[row["department"]])
        if answers:
            submit(session, token, answers, on=answer_day)


#: The demo's action plans: the town's own (the no-blame effect the demo's answers carry) and
#: one of 総務課, as leadership and a 課長 would write them.
DEMO_PLANS = (
    ((), "失敗共有会（ヒヤリハット共有）を開始", "副町長", "no-blame", PlanStatus.DONE),
    (("総務課",), "窓口の判断を係長に任せる試行", "総務課長", "no-excuses", PlanStatus.IN_PROGRESS),
)


def _start_plans(session: DbSession, on: dt.date) -> None:
    """The demo's plans, started on ``on`` (marked on the trend charts from that day)."""
    principles = {p.code: p for p in session.scalars(select(Principle))}
    for unit, title, owner, code, status in DEMO_PLANS:
        if code not in principles:
            continue
        plan = ActionPlan(unit=unit_key(unit), title=title, owner=owner, starts_on=on,
                          due_on=on + dt.timedelta(days=90), status=status,
                          principles=[principles[code]])
        plan.updates.append(PlanUpdate(on=on, status=PlanStatus.PLANNED, author_role="leadership"))
        plan.updates.append(PlanUpdate(on=on + dt.timedelta(days=30), status=status,
                                       author_role="leadership"))
        session.add(plan)


DEMO_ACCOUNTS = (("admin@naranu.example", "admin"), ("leader@naranu.example", "leadership"),
                 ("hr@naranu.example", "hr"))


def ensure_demo_accounts(session: DbSession) -> list[tuple[str, str, str]]:
    """Create the three demo accounts if missing; returns (email, role, password) created."""
    created = []
    for email, role in DEMO_ACCOUNTS:
        if session.scalar(select(User).where(User.email == email)) is None:
            password = secrets.token_urlsafe(12)
            create_user(session, email, role, password)
            created.append((email, role, password))
    return created


@click.command("seed-demo")
@click.option("--staff", default=150, show_default=True, type=click.IntRange(10, 200_000))
@click.option("--waves", default=8, show_default=True, type=click.IntRange(1, 40))
@click.option("--seed", default=1, show_default=True, type=int)
@with_appcontext
def seed_demo_command(staff: int, waves: int, seed: int) -> None:
    """Fill the database with a synthetic organisation and its survey history."""
    if db.session.scalar(select(Wave.id).limit(1)) is not None:
        raise click.ClickException("the database already has waves; seed-demo needs an empty one")
    created = seed_demo(db.session, DemoSpec(staff, waves, seed), current_app.config["TOKEN_KEY"])
    begin_write(db.session)
    accounts = ensure_demo_accounts(db.session)
    db.session.commit()
    compact_storage(db.engine)
    click.echo(f"demo ready: {len(created)} waves, {staff} staff")
    for email, role, password in accounts:
        click.echo(f"  {role:<10} {email}  password: {password}")
