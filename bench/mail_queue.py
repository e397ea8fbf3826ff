"""Measure the mail queue: messages per second for N invitations, and SIGKILL safety.

    .venv/bin/python bench/mail_queue.py --invitations 10000 --kills 5
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/mail_queue.py

A real SMTP server (aiosmtpd) runs in its own process and appends every accepted message's
recipient and subject to a file.  The product's own commands do the work: ``wave send``
queues, ``flask --app app mail work --once`` (a separate process, unthrottled: MAIL_RATE=0)
sends.  Phase 1 times the invitations.  Phase 2 queues a reminder to everyone, kills the
worker with SIGKILL ``--kills`` times at random moments while it sends, then lets a last worker
finish, and counts reminders lost and sent twice.  The last line is one JSON object.

Measured on the shared 2-core development machine (load average 8-14 from other work), SQLite:

    fsync before the dot  10,000 invitations  18-21 messages/s  5 kills: 1 lost; 8: 2 lost
    relaxed commit         8,000 invitations  42 messages/s     8 kills: 0 lost, 0 twice
                           3,000 invitations  39 messages/s     3 kills: 0 lost, 0 twice
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = (
    "import email, email.policy, sys, time\n"
    "from aiosmtpd.controller import Controller\n"
    "log = open(sys.argv[2], 'a', buffering=1)\n"
    "class Handler:\n"
    "    async def handle_DATA(self, server, session, envelope):\n"
    "        message = email.message_from_bytes(envelope.content, policy=email.policy.default)\n"
    "        subject = 'reminder' if 'Reminder' in message['Subject'] else 'invitation'\n"
    "        log.write(f'{time.time()}\\t{subject}\\t{envelope.rcpt_tos[0]}\\n')\n"
    "        return '250 OK'\n"
    "Controller(Handler(), hostname='127.0.0.1', port=int(sys.argv[1])).start()\n"
    "time.sleep(10**6)\n"
)
WORKER = (
    "import json, sys\n"
    "from app import create_app\n"
    "app = create_app(json.loads(sys.argv[1]))\n"
    "with app.app_context():\n"
    "    app.cli.main(sys.argv[2:])\n"
)


def config(database_url: str, port: int) -> dict[str, object]:
    return {"SECRET_KEY": "bench" * 8, "TOKEN_KEY": "ab" * 32, "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": database_url, "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port, "MAIL_RATE": 0, "PUBLIC_BASE_URL": "https://survey.example"}


def command(settings: dict[str, object], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(settings), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run(settings: dict[str, object], *args: str) -> str:
    process = command(settings, *args)
    output, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    return output.strip()


def seed(settings: dict[str, object], staff: int) -> str:
    """Migrate, import ``staff`` people, open a wave; returns its id."""
    from app import create_app
    from survey.db import db
    from survey.roster.services import import_roster

    run(settings, "init-db")
    app = create_app(settings)
    with app.app_context():
        import_roster(db.session, [
            {"employee_id": f"E{i:06d}", "email": f"staff{i:06d}@town.example.jp",
             "department": f"課{i % 40:02d}"} for i in range(staff)])
        db.session.commit()
        db.engine.dispose()
    return run(settings, "wave", "open", "--label", "bench")


def received(log: Path, kind: str) -> Counter[str]:
    lines = [line.split("\t") for line in log.read_text().splitlines()]
    return Counter(address for _at, what, address in lines if what == kind)


def send_rate(settings: dict[str, object], wave_id: str, log: Path) -> dict[str, float]:
    print(run(settings, "wave", "send", wave_id))
    started = time.monotonic()
    print(run(settings, "mail", "work", "--once"))
    elapsed = time.monotonic() - started
    stamps = [float(line.split("\t")[0]) for line in log.read_text().splitlines()]
    span = max(stamps) - min(stamps)
    return {"command_s": elapsed, "send_span_s": span, "per_second": (len(stamps) - 1) / span}


def kill_and_resume(settings: dict[str, object], wave_id: str, log: Path, kills: int,
                    staff: int) -> dict[str, int]:
    print(run(settings, "wave", "send", wave_id, "--reminders"))
    killed = 0
    for _ in range(kills):
        worker = command(settings, "mail", "work", "--once")
        target = sum(received(log, "reminder").values()) + random.randint(200, 1500)
        while sum(received(log, "reminder").values()) < target and worker.poll() is None:
            time.sleep(0.005)
        time.sleep(random.uniform(0, 0.01))
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        killed += worker.returncode == -signal.SIGKILL
    print(run(settings, "mail", "work", "--once"))
    counts = received(log, "reminder")
    return {"kills": killed, "reminders": sum(counts.values()),
            "lost": staff - len(counts), "duplicated": sum(n - 1 for n in counts.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=5)
    options = parser.parse_args()
    from tests.smtp_server import free_port

    folder = Path(tempfile.mkdtemp(prefix="naranu-mail-"))
    url = os.environ.get("DATABASE_URL", "").replace("postgresql://", "postgresql+psycopg://")
    database = url or f"sqlite:///{folder / 'bench.sqlite3'}"
    port, log = free_port(), folder / "received.tsv"
    log.touch()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(log)])
    try:
        time.sleep(1)
        settings = config(database, port)
        wave_id = seed(settings, options.invitations)
        rate = send_rate(settings, wave_id, log)
        crash = kill_and_resume(settings, wave_id, log, options.kills, options.invitations)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    backend = database.split(":", 1)[0]
    print(f"{options.invitations} invitations on {backend}: {rate['per_second']:.0f} messages/s "
          f"({rate['send_span_s']:.1f} s sending, {rate['command_s']:.1f} s for the command)")
    print(f"reminders under {crash['kills']} × SIGKILL: {crash['lost']} lost, "
          f"{crash['duplicated']} sent twice")
    print(json.dumps({"invitations": options.invitations, "backend": backend, **rate, **crash}))


if __name__ == "__main__":
    main()
