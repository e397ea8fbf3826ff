"""Scale: what each step costs as the organisation grows, through the product's own services.

    .venv/bin/python bench/scale.py                       # 2,000, 20,000 and 100,000 staff
    .venv/bin/python bench/scale.py --sizes 2000,20000    # quicker

For each size it builds a fresh SQLite database (``--db postgresql`` for PostgreSQL) holding an
organisation shaped like a real personnel file: 部 of about ten 課, 課 of 12–28 people (about
20) with one 課長 each, two secondary attributes (role, tenure band), about 4% turnover per
wave, and ``--waves`` (8) waves at 70% response.  Everything is written by the product's code:
``import_roster``, ``open_wave``, ``submit`` (the answering service the form calls) and
``close_wave``.  The first waves are history, answered in-process; the last is timed step by
step: roster import, wave open, ``--http`` (1,000) people answering through the real form on
gunicorn (bench/load_submit.py's server and bench/phone.py's client), the rest in-process,
wave close.

Then a fresh interpreter (so *cold* means nothing cached) times what readers ask for, through
the functions the views and commands call: the quarter report (:func:`quarter_report`, then
JSON as the API sends it, the page, the PDF; cold, then warm), the aggregate export and the
response-level export in CSV and XLSX (:func:`make_export`, what the HR page and
``flask export`` call).  Baselines beside them: pandas writing the same response table (CSV in a
zip, XLSX through openpyxl), and pandas computing the report's organisation figures (per item
mean and favourable share, per principle mean) from the raw answer rows read from the database.

The last line printed is one JSON object: every time per size and the growth from the
second-largest to the largest size (from 20,000 to 100,000 staff by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_submit import Gunicorn, create_database, run_load  # noqa: E402

HIERARCHY = ["department", "section"]
SECONDARY = ("role", "tenure_band")
TENURE = ("0-4年", "5-14年", "15年以上")
PARTICIPATION = 0.7
STEPS = ("roster_import", "wave_open", "answer_http", "wave_close",
         "report_cold", "json_cold", "html_cold", "pdf_cold",
         "report_warm", "json_warm", "html_warm", "pdf_warm",
         "export_aggregate_csv", "export_responses_csv", "export_responses_xlsx",
         "exports_peak_rss_mb")
BASELINES = {"export_responses_csv": "pandas_responses_csv",
             "export_responses_xlsx": "pandas_responses_xlsx",
             "report_cold": "pandas_report", "report_warm": "pandas_report"}


# --- the organisation ---------------------------------------------------------------------------

def unit_sizes(staff: int, seed: int) -> list[int]:
    """課 sizes of 12–28 (about 20) adding up to ``staff``."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    while sum(sizes) < staff:
        sizes.append(int(rng.integers(12, 29)))
    sizes[-1] -= sum(sizes) - staff
    if sizes[-1] < 5 and len(sizes) > 1:
        sizes[-2] += sizes.pop()
    return sizes


def roster(sizes: list[int], wave: int) -> list[dict[str, str]]:
    """The roster at ``wave``: one slot per post; about 4% of posts change hands per wave."""
    rows = []
    slot = 0
    for unit, size in enumerate(sizes):
        for place in range(size):
            generation = (wave + slot % 25) // 25
            rows.append({
                "employee_id": f"S{slot:06d}-{generation}",
                "email": f"s{slot:06d}.{generation}@city.example.jp",
                "department": f"部{unit // 10 + 1:03d}", "section": f"課{unit + 1:04d}",
                "role": "課長" if place == 0 else "一般",
                "tenure_band": TENURE[(slot * 7 + wave // 4) % 3],
            })
            slot += 1
    return rows


def answers_for(items: list[Any], rng: np.random.Generator, wave: int) -> dict[int, int | str]:
    """One person's answers: a latent attitude, item noise, a few skips and comments."""
    person = 3.1 + rng.normal(0, 0.6) + 0.02 * wave
    answers: dict[int, int | str] = {}
    for item_id, kind, reverse in items:
        if kind == "comment":
            if rng.random() < 0.05:
                answers[item_id] = "窓口の手続きが分かりやすくなりました。"
            continue
        if rng.random() < 0.04:
            continue
        latent = person + rng.normal(0, 0.7)
        if kind == "nps11":
            answers[item_id] = int(np.clip(round(2 * latent + rng.normal(0, 1)), 0, 10))
        else:
            value = int(np.clip(round(latent), 1, 5))
            answers[item_id] = 6 - value if reverse else value
    return answers


def wave_dates(count: int) -> list[tuple[dt.date, dt.date]]:
    """History one quarter apart, the last wave opening today (closed early by the benchmark)."""
    today = dt.date.today()
    dates = []
    for back in range(count - 1, 0, -1):
        opens = today - dt.timedelta(days=91 * back)
        dates.append((opens, opens + dt.timedelta(days=13)))
    return [*dates, (today, today + dt.timedelta(days=13))]


# --- building (in the benchmark process) --------------------------------------------------------

def timed(times: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = step()
    times[name] = time.perf_counter() - started
    return result


def build(config: dict[str, Any], staff: int, waves: int, http: int, seed: int,
          concurrency: int) -> tuple[dict[str, float], str]:
    """The organisation's history and its timed last wave; returns (times, the quarter label)."""
    from app import create_app
    from reports.quarters import quarter_of
    from survey.db import begin_write, db
    from survey.org_settings import current_thresholds, group_hierarchy
    from survey.principles.services import seed_default_template
    from survey.roster.services import import_roster
    from survey.waves.closing import close_wave
    from survey.waves.services import WavePlan, invitation_links, open_wave

    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["init-db"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    sizes = unit_sizes(staff, seed)
    rng = np.random.default_rng(seed)
    times: dict[str, float] = {}
    dates = wave_dates(waves)
    with app.app_context():
        session = db.session
        begin_write(session)
        survey = seed_default_template(session)
        session.commit()
        for index, (opens, closes) in enumerate(dates):
            last = index == len(dates) - 1
            rows = roster(sizes, index)
            begin_write(session)
            clock = times if last else {}
            timed(clock, "roster_import",
                  partial(import_roster, session, rows, hierarchy=HIERARCHY))
            plan = WavePlan(f"wave {index + 1}", opens, closes)
            wave = timed(clock, "wave_open", partial(
                open_wave, session, survey, plan, current_thresholds(session),
                group_hierarchy(session), config["TOKEN_KEY"], allow_past=True,
                secondary=SECONDARY))
            session.commit()
            answering = [r for r in rows if rng.random() < PARTICIPATION]
            by_web: list[dict[str, str]] = []
            if last and http:
                by_web = answering[:http]
                emails = {r["email"] for r in by_web}
                links = [link.removeprefix("http://bench") for email, link in invitation_links(
                    session, wave, config["TOKEN_KEY"], "http://bench") if email in emails]
                session.rollback()
                times["answer_http"] = answer_over_http(config, links, concurrency)
            answer_in_process(session, wave, answering[len(by_web):], config["TOKEN_KEY"], rng,
                              index)
            begin_write(session)
            timed(clock, "wave_close", partial(close_wave, session, wave))
            session.commit()
            print(f"  {staff} staff: wave {index + 1}/{len(dates)} closed "
                  f"({len(answering)} responses)", flush=True)
        quarter = quarter_of(dates[-1][1], int(app.config["FISCAL_YEAR_START_MONTH"])).label
        db.session.remove()
        db.engine.dispose()
    return times, quarter


def answer_in_process(session: Any, wave: Any, people: list[dict[str, str]], token_key: str,
                      rng: np.random.Generator, index: int) -> None:
    """``submit`` for each person (what the form's POST stores), one transaction per wave."""
    from survey.answering.services import submit
    from survey.db import begin_write
    from survey.waves.tokens import derive_token

    items = [(e.item.id, str(e.item.kind), e.item.reverse) for e in wave.items]
    on = wave.opens_on + dt.timedelta(days=3)
    begin_write(session)
    for person in people:
        token = derive_token(token_key, wave.public_id, person["employee_id"])
        submit(session, token, answers_for(items, rng, index), on=on)
    session.commit()


def answer_over_http(config: dict[str, Any], links: list[str], concurrency: int) -> float:
    """Seconds for ``links`` to be answered through the form on gunicorn (no errors allowed)."""
    random.Random(1).shuffle(links)
    server = Gunicorn("load_submit:naranu_app()", config, None)
    try:
        tally = run_load(server, links, concurrency, keep_alive=False)
    finally:
        server.stop()
    if tally.errors or tally.acknowledged != len(links):
        raise SystemExit(f"answering over HTTP failed: {tally.errors}")
    return tally.seconds


# --- measuring (in a fresh interpreter) ---------------------------------------------------------

def measure(config: dict[str, Any], quarter: str, what: str) -> dict[str, float]:
    """``report``: the quarter report cold, then warm; ``exports``: the three exports with
    their pandas baselines and this process's peak memory."""
    import resource

    from app import create_app
    from survey.db import db

    app = create_app(config)
    with app.test_request_context(f"/reports/{quarter}"):
        times = (measure_report(db.session, quarter) if what == "report"
                 else measure_exports(db.session))
    if what == "exports":
        times["exports_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def _json_text(serialise: Callable[[Any], Any], report: Any) -> str:
    """The JSON API's body for ``report`` (what ``/api/v1/reports/<quarter>`` sends)."""
    return json.dumps(serialise(report), ensure_ascii=False)


def measure_report(session: Any, quarter: str) -> dict[str, float]:
    """The quarter report as the views make it: data, JSON, page, PDF; cold, then warm."""
    from reports.quarterly.page import render_report_page, render_report_pdf
    from reports.quarterly.serialise import report_json
    from reports.quarterly.services import quarter_report
    from survey.models import Wave

    times: dict[str, float] = {}
    for phase in ("cold", "warm"):
        report = timed(times, f"report_{phase}", lambda: quarter_report(session, quarter))
        timed(times, f"json_{phase}", partial(_json_text, report_json, report))
        timed(times, f"html_{phase}", partial(render_report_page, report))
        timed(times, f"pdf_{phase}", partial(render_report_pdf, report))
    wave_id = session.query(Wave.id).order_by(Wave.id.desc()).limit(1).scalar()
    times["pandas_report"] = pandas_report(session, wave_id)
    return times


def measure_exports(session: Any) -> dict[str, float]:
    """The exports of the last wave through ``make_export``, each beside pandas."""
    from reports.exports import make_export
    from survey.models import Wave

    times: dict[str, float] = {}
    wave_id = session.query(Wave.id).order_by(Wave.id.desc()).limit(1).scalar()
    for kind, fmt in (("aggregate", "csv"), ("responses", "csv"), ("responses", "xlsx")):
        cpu = time.process_time()
        made = timed(times, f"export_{kind}_{fmt}",
                     partial(make_export, session, wave_id, kind, fmt, role="system"))
        times[f"export_{kind}_{fmt}_cpu"] = time.process_time() - cpu  # (the machine is shared)
        session.rollback()  # the export_made audit entry: this is a measurement
        if kind == "responses":
            times.update(pandas_export(made.content, fmt))
    return times


def pandas_export(content: bytes, fmt: str) -> dict[str, float]:
    """pandas writing the same response table the export wrote (read back from the export)."""
    import io
    import zipfile

    import pandas as pd

    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            frame = pd.read_csv(archive.open("responses.csv"), encoding="utf-8-sig", dtype=str)
        started, cpu = time.perf_counter(), time.process_time()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("responses.csv", frame.to_csv(index=False).encode("utf-8-sig"))
        return {"pandas_responses_csv": time.perf_counter() - started,
                "pandas_responses_csv_cpu": time.process_time() - cpu,
                "export_rows": float(len(frame))}
    frame = pd.read_excel(io.BytesIO(content), sheet_name="responses", engine="openpyxl")
    started, cpu = time.perf_counter(), time.process_time()
    frame.to_excel(io.BytesIO(), sheet_name="responses", index=False, engine="openpyxl")
    return {"pandas_responses_xlsx": time.perf_counter() - started,
            "pandas_responses_xlsx_cpu": time.process_time() - cpu}


def pandas_report(session: Any, wave_id: int) -> float:
    """pandas computing the organisation's figures from the raw answers (read included)."""
    import pandas as pd
    from sqlalchemy import select

    from survey.models import Answer, Item, Response

    started = time.perf_counter()
    query = (select(Answer.item_id, Answer.value, Item.principle_id, Item.reverse, Item.kind)
             .join(Response, Response.id == Answer.response_id)
             .join(Item, Item.id == Answer.item_id)
             .where(Response.wave_id == wave_id, Answer.value.is_not(None)))
    frame = pd.DataFrame(session.execute(query).all(),
                         columns=["item", "value", "principle", "reverse", "kind"])
    likert = frame[frame["kind"].astype(str) == "likert5"].copy()
    likert["scored"] = likert["value"].where(~likert["reverse"], 6 - likert["value"])
    likert["favourable"] = likert["scored"] >= 4
    likert.groupby("item").agg(mean=("scored", "mean"), favourable=("favourable", "mean"))
    likert.groupby("principle")["scored"].mean()
    nps = frame[frame["kind"].astype(str) == "nps11"]["value"]
    _enps = 100 * ((nps >= 9).mean() - (nps <= 6).mean())
    return time.perf_counter() - started


# --- the run ------------------------------------------------------------------------------------

def one_size(args: argparse.Namespace, staff: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="naranu-scale-") as folder:
        kept = Path(args.keep) / str(staff) if args.keep else None
        if kept:
            kept.mkdir(parents=True, exist_ok=True)
        url, drop = create_database(args.db, kept or Path(folder), args.pg_url)
        config = {"SECRET_KEY": secrets.token_hex(32), "TOKEN_KEY": secrets.token_hex(32),
                  "SQLALCHEMY_DATABASE_URI": url}
        try:
            started = time.perf_counter()
            times, quarter = build(config, staff, args.waves, min(args.http, staff // 2),
                                   args.seed, args.concurrency)
            print(f"  {staff} staff built in {time.perf_counter() - started:.0f} s", flush=True)
            if kept:  # to measure again: bench/scale.py --measure CONFIG QUARTER report|exports
                (kept / "measure.json").write_text(json.dumps([json.dumps(config), quarter]))
            for what in ("report", "exports"):  # each in a fresh interpreter: cold is cold
                child = subprocess.run(
                    [sys.executable, __file__, "--measure", json.dumps(config), quarter, what],
                    check=True, capture_output=True, text=True, cwd=ROOT)
                times.update(json.loads(child.stdout.strip().splitlines()[-1]))
        finally:
            if not kept:
                drop()
    return times


def table(results: dict[int, dict[str, float]]) -> str:
    sizes = sorted(results)
    lines = [f"{'step':<24}" + "".join(f"{s:>12,}" for s in sizes) + "   baseline (largest)"]
    for step in STEPS:
        unit = "M" if step.endswith("_mb") else "s"
        cells = "".join(f"{results[s].get(step, float('nan')):>11.2f}{unit}" for s in sizes)
        base = BASELINES.get(step)
        extra = ""
        if base and base in results[sizes[-1]]:
            b = results[sizes[-1]][base]
            extra = f"   {base} {b:.2f}s ({results[sizes[-1]][step] / b:.1f}×)"
        lines.append(f"{step:<24}{cells}{extra}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000,100000",
                        help="staff counts, comma-separated")
    parser.add_argument("--waves", type=int, default=8)
    parser.add_argument("--http", type=int, default=1000,
                        help="people of the last wave who answer through the form")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="DIR",
                        help="keep each size's SQLite database in DIR/<size> (to measure again)")
    parser.add_argument("--measure", nargs=3, metavar=("CONFIG", "QUARTER", "WHAT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(json.loads(args.measure[0]), *args.measure[1:])))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"scale benchmark on {os.cpu_count()} cores ({args.db}); other work on this machine "
          "shares them, so times vary by ±10–20%", flush=True)
    results = {}
    for staff in sizes:
        print(f"building {staff} staff, {args.waves} waves …", flush=True)
        results[staff] = one_size(args, staff)
    print(table(results))
    summary: dict[str, Any] = {"sizes": {str(s): results[s] for s in sizes},
                               "cores": os.cpu_count(), "db": args.db, "waves": args.waves}
    if len(sizes) > 1:
        small, large = sizes[-2], sizes[-1]
        summary["growth"] = {f"{small}->{large}": {
            step: round(results[large][step] / results[small][step], 2)
            for step in STEPS if results[small].get(step) and step in results[large]}}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
