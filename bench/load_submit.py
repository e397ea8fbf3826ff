"""Survey-day load: N staff each open their link and send an answer, against gunicorn.

    .venv/bin/python bench/load_submit.py --db sqlite --staff 5000 --concurrency 200
    .venv/bin/python bench/load_submit.py --db postgresql

It builds a fresh database (init-db, a roster of N, one open wave), serves the real app with
``gunicorn.conf.py`` on a free loopback port, and has ``--concurrency`` client threads play the
staff: GET the form, take the CSRF token and the question names from the HTML, POST an answer.
Then it counts what the database holds: ``lost`` = answers acknowledged with the thank-you page
minus responses stored (must be 0), and checks spent invitations == responses.

The same load then runs against a minimal Flask app under the same gunicorn settings whose GET
returns a tiny form and whose POST inserts one row on the same kind of database with the same
durability settings (the baseline); ``ratio`` = naranu's answers/s ÷ the baseline's.
The last line printed is one JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG_ENV = "NARANU_BENCH_CONFIG"
INPUT = re.compile(r"<input\b([^>]*)>")
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="(item_\d+)"')
COMMENTS = ("窓口の手続きが分かりやすくなりました。", "会議で前向きな話が増えた。", "")


# --- the two WSGI apps gunicorn serves ------------------------------------------------------

def naranu_app() -> Any:
    """The real application, configured from the benchmark's environment variable."""
    from app import create_app

    return create_app(json.loads(os.environ[CONFIG_ENV]))


def baseline_app() -> Any:
    """A minimal Flask app: GET a tiny form, POST inserts one row (same DB, same durability)."""
    from flask import Flask, request
    from sqlalchemy import create_engine, text

    from survey.db import configure_engine

    url = json.loads(os.environ[CONFIG_ENV])["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, pool_pre_ping=True)
    configure_engine(engine)  # the same WAL / synchronous=FULL / BEGIN handling as naranu
    app = Flask("baseline")

    @app.route("/b/<token>", methods=["GET", "POST"])
    def answer(token: str) -> str:
        if request.method == "GET":
            return ('<form method="post"><input name="csrf_token" type="hidden" value="x">'
                    '<input name="item_1" type="radio" value="3"></form>')
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO baseline (id, value) VALUES (:id, :value)"),
                               {"id": secrets.token_hex(16), "value": request.form["item_1"]})
        return "Thank you"

    return app


# --- database and server ----------------------------------------------------------------------

def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_database(kind: str, folder: Path, pg_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh empty database URL and a function that drops it."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}", lambda: None
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    name = f"naranu_bench_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = admin.url.set(database=name).render_as_string(hide_password=False)
    return url, drop


def prepare(config: dict[str, Any], staff: int) -> tuple[int, list[str]]:
    """init-db, a roster of ``staff``, one wave open today; returns (wave id, link paths)."""
    from app import create_app
    from survey.db import begin_write, db
    from survey.principles.services import survey_by_name
    from survey.roster.services import import_roster
    from survey.settings import current_thresholds, group_hierarchy
    from survey.waves.services import WavePlan, invitation_links, open_wave, today

    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["init-db"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    departments = ("総務課", "企画課", "税務課", "住民課", "福祉課", "産業課", "建設課", "教育課")
    rows = [{"employee_id": f"B{i:06d}", "email": f"staff{i:06d}@town.example.jp",
             "department": departments[i % len(departments)],
             "tenure_band": ("0-2年", "3-9年", "10年以上")[i % 3]} for i in range(staff)]
    with app.app_context():
        begin_write(db.session)
        import_roster(db.session, rows)
        wave = open_wave(db.session, survey_by_name(db.session, None),
                         WavePlan("bench", today(), today() + dt.timedelta(days=7)),
                         current_thresholds(db.session), group_hierarchy(db.session),
                         config["TOKEN_KEY"])
        db.session.commit()
        links = [link.removeprefix("http://bench") for _e, link in
                 invitation_links(db.session, wave, config["TOKEN_KEY"], "http://bench")]
        wave_id = wave.id
        db.session.remove()
        db.engine.dispose()
    return wave_id, links


def prepare_baseline(config: dict[str, Any]) -> None:
    """The baseline's one table."""
    from sqlalchemy import create_engine, text

    engine = create_engine(config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS baseline"))
        connection.execute(text("CREATE TABLE baseline (id VARCHAR(32) PRIMARY KEY, value TEXT)"))
    engine.dispose()


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, serving ``target`` on a free port."""

    def __init__(self, target: str, config: dict[str, Any], workers: int | None) -> None:
        self.port = free_port()
        env = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1",
                   **{CONFIG_ENV: json.dumps(config)})
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
             "--pythonpath", str(ROOT / "bench"), "--log-level", "warning", target],
            cwd=ROOT, env=env, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/s/x", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start for {target}")

    def stop(self) -> None:
        """Stop the server and its workers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- the simulated staff ------------------------------------------------------------------------

@dataclass
class Tally:
    """What the clients saw."""

    get_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    acknowledged: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def answer_payload(html: str, rng: random.Random) -> dict[str, str]:
    """A plausible answer: every scale question answered, a comment now and then."""
    choices: dict[str, list[str]] = {}
    payload: dict[str, str] = {}
    for tag in INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        name, value = attributes.get("name", ""), attributes.get("value", "")
        if attributes.get("type") == "radio" and name.startswith("item_"):
            choices.setdefault(name, []).append(value)
        elif name == "csrf_token":
            payload["csrf_token"] = value
    payload.update({name: rng.choice(values) for name, values in choices.items()})
    for name in TEXTAREA.findall(html):
        payload[name] = rng.choice(COMMENTS)
    return payload


def one_staff(base: str, path: str, tally: Tally, seed: int) -> None:
    """Open the link, then send an answer, as one phone would."""
    rng = random.Random(seed)
    with requests.Session() as phone:
        try:
            started = time.perf_counter()
            form = phone.get(base + path, timeout=30)
            got = time.perf_counter()
            if form.status_code != 200:
                tally.error(f"GET {form.status_code}")
                return
            sent = phone.post(base + path, data=answer_payload(form.text, rng), timeout=30)
            done = time.perf_counter()
        except requests.RequestException as error:
            tally.error(type(error).__name__)
            return
    with tally.lock:
        tally.get_ms.append((got - started) * 1000)
        tally.post_ms.append((done - got) * 1000)
    if sent.status_code == 200 and ("thanks" in sent.text or "Thank you" in sent.text
                                    or "role=\"status\"" in sent.text):
        with tally.lock:
            tally.acknowledged += 1
    else:
        tally.error(f"POST {sent.status_code}")


def run_load(base: str, paths: list[str], concurrency: int) -> tuple[Tally, float]:
    """Every path answered once by ``concurrency`` threads; returns the tally and wall seconds."""
    tally = Tally()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for number, path in enumerate(paths):
            pool.submit(one_staff, base, path, tally, number)
    return tally, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (inclusive method); 0 for no values."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def stored_counts(config: dict[str, Any], wave_id: int) -> tuple[int, int]:
    """(responses stored, invitations spent) for the wave, read straight from the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        responses = connection.execute(
            text("SELECT count(*) FROM response WHERE wave_id = :w"), {"w": wave_id}).scalar()
        spent = connection.execute(
            text("SELECT count(*) FROM invitation WHERE wave_id = :w AND spent"),
            {"w": wave_id}).scalar()
    engine.dispose()
    return int(responses or 0), int(spent or 0)


def describe(label: str, tally: Tally, seconds: float) -> float:
    """Print one run's figures; returns answers per second."""
    per_s = tally.acknowledged / seconds if seconds else 0.0
    print(f"{label}: {tally.acknowledged} answers in {seconds:.1f} s = {per_s:.0f}/s; "
          f"POST p50 {percentile(tally.post_ms, 50):.0f} ms, p95 "
          f"{percentile(tally.post_ms, 95):.0f} ms, p99 {percentile(tally.post_ms, 99):.0f} ms; "
          f"GET p50 {percentile(tally.get_ms, 50):.0f} ms, p99 "
          f"{percentile(tally.get_ms, 99):.0f} ms; errors {sum(tally.errors.values())} "
          f"{tally.errors or ''}", flush=True)
    return per_s


def main(argv: list[str] | None = None) -> int:
    """Run naranu and the baseline under the same load; print figures and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="naranu-bench-") as folder:
        url, drop = create_database(args.db, Path(folder), args.pg_url)
        config = {"SECRET_KEY": secrets.token_hex(32), "TOKEN_KEY": secrets.token_hex(32),
                  "SQLALCHEMY_DATABASE_URI": url}
        try:
            result = measure(args, config)
        finally:
            drop()
    print(json.dumps(result))
    return 0 if result["errors"] == 0 and result["lost"] == 0 else 1


def measure(args: argparse.Namespace, config: dict[str, Any]) -> dict[str, Any]:
    """Prepare, load naranu, count, load the baseline; the headline figures."""
    print(f"preparing {args.staff} staff on {args.db} …", flush=True)
    wave_id, paths = prepare(config, args.staff)
    random.Random(0).shuffle(paths)
    server = Gunicorn("load_submit:naranu_app()", config, args.workers)
    try:
        tally, seconds = run_load(server.url, paths, args.concurrency)
    finally:
        server.stop()
    per_s = describe("naranu", tally, seconds)
    responses, spent = stored_counts(config, wave_id)
    lost = tally.acknowledged - responses
    print(f"stored {responses} responses, {spent} invitations spent, "
          f"acknowledged {tally.acknowledged}: lost {lost}, "
          f"spent-without-answer {spent - responses}", flush=True)
    baseline = 0.0
    if not args.no_baseline:
        prepare_baseline(config)
        server = Gunicorn("load_submit:baseline_app()", config, args.workers)
        try:
            base_tally, base_seconds = run_load(
                server.url, [f"/b/{i}" for i in range(args.staff)], args.concurrency)
        finally:
            server.stop()
        baseline = describe("baseline (one insert)", base_tally, base_seconds)
    return {
        "db": args.db, "answers": tally.acknowledged, "per_s": round(per_s, 1),
        "p50_ms": round(percentile(tally.post_ms, 50), 1),
        "p95_ms": round(percentile(tally.post_ms, 95), 1),
        "p99_ms": round(percentile(tally.post_ms, 99), 1),
        "errors": sum(tally.errors.values()) + abs(spent - responses), "lost": lost,
        "baseline_per_s": round(baseline, 1),
        "ratio": round(per_s / baseline, 2) if baseline else None,
    }


if __name__ == "__main__":
    sys.exit(main())
