"""Survey-day load: N staff each open their link and send an answer, against gunicorn.

    .venv/bin/python bench/load_submit.py --db sqlite --staff 5000 --concurrency 200
    .venv/bin/python bench/load_submit.py --db postgresql

Each round builds a fresh database (init-db, a roster of N, one open wave), serves the real
app with ``gunicorn.conf.py`` on a free loopback port, and has ``--concurrency`` simulated
phones play the staff (bench/phone.py): GET the form, take the CSRF key and the question names
from the HTML, POST an answer.  Each request opens its own connection, as requests arrive
behind nginx (which does not reuse upstream connections by default) and as an answer sent a
minute after the form would; ``--keep-alive`` sends both on one connection instead.
Then it counts what the database holds: ``lost`` = answers acknowledged with the thank-you
page minus responses stored (must be 0), and checks spent invitations == responses.

The same load then runs against a minimal Flask app under the same gunicorn settings whose GET
returns a tiny form and whose POST inserts one row on the same kind of database with the same
durability settings (the baseline); ``ratio`` = naranu's answers/s ÷ the baseline's.  Rounds
alternate the two (``--rounds``, default 3) because this machine's speed drifts by ±10 %
from one minute to the next; the figures are medians over rounds.  Each line also shows the
CPU time per answer of the server processes and of the load generator, which shares the CPU.
The last line printed is one JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
import asyncio
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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.phone import Phone, ProtocolError  # noqa: E402  (the project root is on the path)

CONFIG_ENV = "NARANU_BENCH_CONFIG"
# The answering page's markup (templates/answering/*.html); one pass each, since the load
# generator shares the CPU with the server it measures.
RADIO = re.compile(r'<input type="radio" name="(item_\d+)" value="(\d+)"')
FORM_KEY = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="(item_\d+)"')
COMMENTS = ("窓口の手続きが分かりやすくなりました。", "会議で前向きな話が増えた。", "")


# --- the two WSGI apps gunicorn serves ------------------------------------------------------

def naranu_app() -> Any:
    """The real application, configured from the benchmark's environment variable."""
    from app import create_app

    return create_app(json.loads(os.environ[CONFIG_ENV]))


def baseline_app() -> Any:
    """A minimal Flask app: GET a tiny form, POST inserts one row.

    Same database, engine options, durability and write path as naranu (WAL, synchronous=FULL,
    the writer queue and BEGIN IMMEDIATE on SQLite), so the ratio compares the work per
    answer and not two ways of waiting for the write lock.
    """
    from flask import Flask, request
    from sqlalchemy import create_engine, text

    from survey.app_config import DEFAULTS, engine_options
    from survey.db import configure_engine, write_transaction

    url = json.loads(os.environ[CONFIG_ENV])["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, **engine_options(url, DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"]))
    configure_engine(engine)
    app = Flask("baseline")

    @app.route("/b/<token>", methods=["GET", "POST"])
    def answer(token: str) -> str:
        if request.method == "GET":
            return ('<form method="post"><input name="csrf_token" type="hidden" value="x">'
                    '<input type="radio" name="item_1" value="3"></form>')
        with engine.connect() as connection, write_transaction(connection):
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
    from survey.org_settings import current_thresholds, group_hierarchy
    from survey.principles.services import survey_by_name
    from survey.roster.services import import_roster
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

    def cpu_seconds(self) -> tuple[float, float]:
        """(user, system) CPU seconds used so far by the master and its workers."""
        return processes_cpu_seconds(lambda _name, group: group == self.process.pid)

    def stop(self) -> None:
        """Stop the server and its workers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def processes_cpu_seconds(chosen: Callable[[str, int], bool]) -> tuple[float, float]:
    """(user, system) CPU seconds of the processes ``chosen(name, process group)`` (``/proc``).

    Children's times count too (``cutime``/``cstime``): gunicorn workers recycled by
    ``max_requests`` and PostgreSQL backends that ended are reaped by their parents.
    """
    user = system = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # a process that ended meanwhile
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        if chosen(name, int(fields[2])):
            user += int(fields[11]) + int(fields[13])
            system += int(fields[12]) + int(fields[14])
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def database_cpu_seconds() -> float:
    """CPU seconds used so far by the local PostgreSQL server's processes (0 for SQLite).

    All of them, the WAL writer and checkpointer included (they work for the benchmark's
    commits too) — so nothing else should use this PostgreSQL while the benchmark runs.
    """
    return sum(processes_cpu_seconds(lambda name, _group: name == "postgres"))


# --- the simulated staff ------------------------------------------------------------------------

@dataclass
class Tally:
    """What the clients saw."""

    get_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    acknowledged: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    client_cpu_s: float = 0.0
    server_user_s: float = 0.0
    server_system_s: float = 0.0
    database_cpu_s: float = 0.0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def answer_payload(html: str, rng: random.Random) -> dict[str, str]:
    """A plausible answer: every scale question answered, a comment now and then."""
    choices: dict[str, list[str]] = {}
    for name, value in RADIO.findall(html):
        choices.setdefault(name, []).append(value)
    key = FORM_KEY.search(html)
    payload = {"csrf_token": key.group(1)} if key else {}
    payload.update({name: rng.choice(values) for name, values in choices.items()})
    for name in TEXTAREA.findall(html):
        payload[name] = rng.choice(COMMENTS)
    return payload


async def one_staff(host: str, port: int, path: str, tally: Tally, seed: int,
                    keep_alive: bool) -> None:
    """Open the link, then send an answer, as one phone would."""
    rng = random.Random(seed)
    try:
        async with Phone(host, port, keep_alive=keep_alive) as phone:
            started = time.perf_counter()
            form = await phone.get(path)
            got = time.perf_counter()
            if form.status != 200:
                tally.error(f"GET {form.status}")
                return
            sent = await phone.post(path, answer_payload(form.text, rng))
            done = time.perf_counter()
    except (OSError, TimeoutError, ProtocolError) as error:
        tally.error(type(error).__name__)
        return
    tally.get_ms.append((got - started) * 1000)
    tally.post_ms.append((done - got) * 1000)
    if sent.status == 200 and ("thanks" in sent.text or "Thank you" in sent.text
                               or 'role="status"' in sent.text):
        tally.acknowledged += 1
    else:
        tally.error(f"POST {sent.status}")


def run_load(server: Gunicorn, paths: list[str], concurrency: int, keep_alive: bool) -> Tally:
    """Every path answered once by ``concurrency`` phones at a time, timed and CPU-counted."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    tally = Tally()
    queue = iter(enumerate(paths))

    async def staff_in_turn() -> None:
        for number, path in queue:  # shared iterator: each path is taken by one phone
            await one_staff(host, int(port), path, tally, number, keep_alive)

    async def everyone() -> None:
        await asyncio.gather(*(staff_in_turn() for _ in range(concurrency)))

    server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
    database_cpu = database_cpu_seconds()
    started = time.perf_counter()
    asyncio.run(everyone())
    tally.seconds = time.perf_counter() - started
    tally.client_cpu_s = time.process_time() - client_cpu
    user, system = server.cpu_seconds()
    tally.server_user_s, tally.server_system_s = user - server_cpu[0], system - server_cpu[1]
    tally.database_cpu_s = database_cpu_seconds() - database_cpu
    return tally


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


def describe(label: str, tally: Tally, database: str) -> float:
    """Print one run's figures; returns answers per second."""
    per_s = tally.acknowledged / tally.seconds if tally.seconds else 0.0
    each = max(tally.acknowledged, 1)
    postgres = (f"PostgreSQL {tally.database_cpu_s / each * 1000:.2f} ms, "
                if database == "postgresql" else "")
    print(f"{label}: {tally.acknowledged} answers in {tally.seconds:.1f} s = {per_s:.0f}/s; "
          f"answer (POST) p50 {percentile(tally.post_ms, 50):.0f} ms, p95 "
          f"{percentile(tally.post_ms, 95):.0f} ms, p99 {percentile(tally.post_ms, 99):.0f} ms; "
          f"form (GET) p50 {percentile(tally.get_ms, 50):.0f} ms, p99 "
          f"{percentile(tally.get_ms, 99):.0f} ms; CPU per answer: server "
          f"{(tally.server_user_s + tally.server_system_s) / each * 1000:.2f} ms (system "
          f"{tally.server_system_s / each * 1000:.2f}), {postgres}load generator "
          f"{tally.client_cpu_s / each * 1000:.2f} ms; errors {sum(tally.errors.values())} "
          f"{tally.errors or ''}", flush=True)
    return per_s


def main(argv: list[str] | None = None) -> int:
    """Run naranu and the baseline under the same load; print figures and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating naranu/baseline rounds, each on a fresh database")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--keep-alive", action="store_true",
                        help="send the answer on the form's connection (default: a new one, "
                             "as behind nginx or after a minute of answering)")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    if args.threads:
        os.environ["NARANU_THREADS"] = str(args.threads)

    rounds = [one_round(args, number) for number in range(1, args.rounds + 1)]
    result = summary(args, rounds)
    print(json.dumps(result))
    return 0 if result["errors"] == 0 and result["lost"] == 0 else 1


@dataclass
class Round:
    """One round's naranu run, its database check, and (unless skipped) the baseline run."""

    naranu: Tally
    lost: int
    spent_without_answer: int
    baseline: Tally | None


def one_round(args: argparse.Namespace, number: int) -> Round:
    """A fresh database, naranu under load, the count, then the baseline under the same load."""
    with tempfile.TemporaryDirectory(prefix="naranu-bench-") as folder:
        url, drop = create_database(args.db, Path(folder), args.pg_url)
        config = {"SECRET_KEY": secrets.token_hex(32), "TOKEN_KEY": secrets.token_hex(32),
                  "SQLALCHEMY_DATABASE_URI": url}
        try:
            print(f"round {number}: preparing {args.staff} staff on {args.db} …", flush=True)
            wave_id, paths = prepare(config, args.staff)
            random.Random(number).shuffle(paths)
            tally = serve_and_load("load_submit:naranu_app()", config, args, paths)
            describe("naranu", tally, args.db)
            responses, spent = stored_counts(config, wave_id)
            lost = tally.acknowledged - responses
            print(f"stored {responses} responses, {spent} invitations spent, acknowledged "
                  f"{tally.acknowledged}: lost {lost}, spent-without-answer "
                  f"{spent - responses}", flush=True)
            baseline = None
            if not args.no_baseline:
                prepare_baseline(config)
                baseline = serve_and_load("load_submit:baseline_app()", config, args,
                                          [f"/b/{i}" for i in range(args.staff)])
                describe("baseline (one insert)", baseline, args.db)
        finally:
            drop()
    return Round(tally, lost, spent - responses, baseline)


def serve_and_load(target: str, config: dict[str, Any], args: argparse.Namespace,
                   paths: list[str]) -> Tally:
    """Start gunicorn for ``target``, play every path, stop the server."""
    server = Gunicorn(target, config, args.workers)
    try:
        return run_load(server, paths, args.concurrency, args.keep_alive)
    finally:
        server.stop()


def summary(args: argparse.Namespace, rounds: list[Round]) -> dict[str, Any]:
    """The headline figures: medians over rounds, percentiles over every request of every round.

    ``ratio`` is the median of each round's naranu ÷ baseline (the two run back to back, so a
    busy moment on the machine affects both); ``p50/p95/p99_ms`` are the answer's latency (the
    POST that stores it and returns the thank-you page), ``form_p99_ms`` the form's.
    """
    def per_s(tally: Tally) -> float:
        return tally.acknowledged / tally.seconds if tally.seconds else 0.0

    posts = [ms for one in rounds for ms in one.naranu.post_ms]
    gets = [ms for one in rounds for ms in one.naranu.get_ms]
    baselines = [per_s(one.baseline) for one in rounds if one.baseline is not None]
    ratios = [per_s(one.naranu) / per_s(one.baseline) for one in rounds
              if one.baseline is not None and per_s(one.baseline)]
    return {
        "db": args.db, "answers": sum(one.naranu.acknowledged for one in rounds),
        "rounds": len(rounds),
        "per_s": round(statistics.median(per_s(one.naranu) for one in rounds), 1),
        "p50_ms": round(percentile(posts, 50), 1), "p95_ms": round(percentile(posts, 95), 1),
        "p99_ms": round(percentile(posts, 99), 1), "form_p99_ms": round(percentile(gets, 99), 1),
        "errors": sum(sum(one.naranu.errors.values()) + abs(one.spent_without_answer)
                      for one in rounds),
        "lost": sum(max(one.lost, 0) for one in rounds),  # more stored than acknowledged
        # (a reply lost after its commit) must not hide a lost answer in another round
        "baseline_per_s": round(statistics.median(baselines), 1) if baselines else None,
        "ratio": round(statistics.median(ratios), 2) if ratios else None,
    }


if __name__ == "__main__":
    sys.exit(main())
