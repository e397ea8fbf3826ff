"""gunicorn settings for naranu: ``gunicorn --config gunicorn.conf.py 'app:create_app()'``.

Sized for survey day on a small server: every member of staff answers within about an hour,
mostly on phones.  Environment overrides: ``PORT`` / ``HOST`` (bind), ``WEB_CONCURRENCY``
(workers), ``NARANU_THREADS``, ``NARANU_ACCESS_LOG=1`` (a redacted access log to stderr).
"""

from __future__ import annotations

import multiprocessing
import os

# --- where: behind the TLS proxy on the same host, so loopback by default -------------------
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# The proxy on this host may set X-Forwarded-Proto (gunicorn then reports https to the app).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- how many: measured with bench/load_submit.py on 2 cores (answers/s, median of rounds;
# keep-alive client: 4 processes × 1 thread 713, 5 × 1 691, 3 × 1 650, 4 × 2 632, 2 × 4 ~480;
# a new connection per request: 4 × 1 520–650 with p99 250–290 ms, 2 × 4 470 with p99
# 395 ms, 4 × 2 596; on PostgreSQL, rounds interleaved, 4 × 1 367–371 and 4 × 2 340–369).
# An answer is CPU work for Python, and threads of one process share one interpreter lock: a
# thread holding the database's write turn then waits for the lock while its siblings run.
# So: processes, not threads — 2 per core (one runs while the other waits on a commit's
# fsync), capped so a big host does not exhaust memory or PostgreSQL's connection limit (each
# worker holds a pool of up to 5 + 10 connections).  The TLS proxy in front (docs/deploy.md)
# buffers slow phones, so a single thread is never held by a slow upload; serving without
# such a proxy, set NARANU_THREADS=4.
MAX_WORKERS = 9
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(),
                                                     MAX_WORKERS)))
worker_class = "gthread"  # keep-alive, and threads on request (NARANU_THREADS)
threads = int(os.environ.get("NARANU_THREADS", "1"))
# How many connections one worker takes on at a time.  gunicorn's default (1000) lets a busy
# worker hoard connections while another idles, and their requests wait behind its queue:
# at the default the answer's p99 was 834 ms, with 8 it is 287 ms (same load, same machine).
# Beyond this, connections wait in the kernel's accept queue, where the next free worker
# takes them in order.
worker_connections = int(os.environ.get("NARANU_WORKER_CONNECTIONS", "8"))

# --- time limits: an answer takes milliseconds; a quarterly PDF a few seconds -----------------
timeout = 60            # a worker silent this long is killed and replaced
graceful_timeout = 30   # on restart, in-flight answers get this long to finish
keepalive = 5           # behind a proxy that reuses connections
max_requests = 5000     # recycle workers now and then (bounded memory growth) ...
max_requests_jitter = 500  # ... but never all at once
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat off the disk

# --- preload: import the app once in the master, then fork ------------------------------------
# Saves memory on a small server (numpy, scipy and matplotlib are shared copy-on-write) and a
# broken configuration fails at start, not in every worker.  The one hazard is a database
# connection inherited across fork; post_fork drops the inherited pool so each worker opens its
# own connections (SQLAlchemy's documented recipe).
preload_app = True

# --- logs: no token, IP address or answer in any line ------------------------------------------
# The access log is off: it would record /s/<token> paths and client addresses.  With
# NARANU_ACCESS_LOG=1 it is written without the client address, and the redacting filter
# (survey.logging) replaces the link path before the line is written.
accesslog = "-" if os.environ.get("NARANU_ACCESS_LOG") == "1" else None
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("NARANU_LOG_LEVEL", "info")
proc_name = "naranu"
# gunicorn's control socket is one fixed path per user; naranu does not use it, and two
# instances on one host (a benchmark, a staging copy) would fight over it.
control_socket_disable = True


def on_starting(server):
    """Redact the master's log lines too."""
    from survey.logging import install_redaction

    install_redaction()


def post_fork(server, worker):
    """Give each worker its own database connections and redacted loggers."""
    from survey.db import db
    from survey.logging import install_redaction

    install_redaction()
    app = worker.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):  # naranu (not some other WSGI app)
        with app.app_context():
            db.engine.dispose(close=False)
