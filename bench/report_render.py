"""Time the quarterly report (web page and PDF) for a large organisation.

Seeding 100,000 staff through the answering service would take hours (about 0.1 s per
response on this machine), so the benchmark builds what a report reads directly: closed
``Wave`` rows with their ``WaveItem``s, ``WaveCell``s (departments × tenure bands) and one
``CellAggregate`` per cell from ``reports.aggregates.build_cell_aggregate`` over synthetic
answers — exactly what ``summarise_wave`` stores when a wave closes.  Reports read only
those rows, so the timings are those of a real organisation of this size.

    .venv/bin/python bench/report_render.py --staff 100000

Timings are taken in a fresh interpreter started after seeding: *cold* is the first report,
page and PDF that process builds (nothing cached: aggregates parsed, disclosure plans
solved, fonts and templates loaded); *warm* is the same request again (closed waves' data
and plans come from the per-process cache). The last line is one JSON object; ``web_s``,
``pdf_s`` and ``stats_s`` are the warm figures, ``*_cold_s`` the cold ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:
    from survey.waves.design import CellDesign

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUARTER = "FY2026Q3"
DEPARTMENTS = 40
BANDS = ("0-2年", "3-9年", "10年以上")


def _answers(rng: np.random.Generator, n: int, specs, wave: int, dept: float) -> np.ndarray:
    person = rng.normal(0, 0.6, size=(n, 1)) + dept
    x = np.empty((n, len(specs)))
    for j, spec in enumerate(specs):
        latent = 3.1 + person[:, 0] + 0.02 * wave + rng.normal(0, 0.7, size=n)
        if spec.kind == "nps11":
            x[:, j] = np.clip(np.round(2 * latent + rng.normal(0, 1, size=n)), 0, 10)
        else:
            x[:, j] = np.clip(np.round(latent), 1, 5)
    x[rng.random(x.shape) < 0.04] = np.nan
    return x


def _layout(rng: np.random.Generator, staff: int, units: int
            ) -> tuple[list[dict[str, str]], np.ndarray, np.ndarray, CellDesign]:
    """Cells (keys), their relative weights, their department index, and the wave design.

    ``units == 0``: 40 departments x 3 tenure bands (the original benchmark).  Otherwise
    ``units`` sections (課) of about ``staff / units`` people, 20 to a department (部), each
    split by two tenure bands: the prefecture-scale organisation of issue 13."""
    from survey.waves.design import CellDesign

    if not units:
        weights = np.linspace(1.6, 0.4, DEPARTMENTS)
        keys = [{"department": f"部署{d + 1:02d}", "tenure_band": band}
                for d in range(DEPARTMENTS) for band in BANDS]
        design = CellDesign(("department",), ("tenure_band",))
        return keys, np.repeat(weights, len(BANDS)), np.arange(len(keys)) // len(BANDS), design
    bands = BANDS[:2]
    keys = [{"department": f"部{u // 20 + 1:03d}", "section": f"課{u + 1:04d}",
             "tenure_band": band} for u in range(units) for band in bands]
    weights = np.repeat(rng.uniform(0.7, 1.3, units), len(bands))
    dept = np.array([u // 20 for u in range(units) for _band in bands])
    design = CellDesign(("department", "section"), ("tenure_band",))
    return keys, weights, dept, design


def seed(session, staff: int, waves: int, seed: int = 1, units: int = 0) -> None:
    """Closed waves with stored aggregates for ``staff`` people (70% participation)."""
    from reports.aggregates import build_cell_aggregate
    from reports.storage.summarise import item_specs
    from survey.models import StoredAggregate, Wave, WaveCell, WaveItem
    from survey.principles.services import seed_default_template

    rng = np.random.default_rng(seed)
    survey = seed_default_template(session)
    session.flush()
    keys, weights, dept_of, design = _layout(rng, staff, units)
    weights /= weights.sum()
    effects = rng.normal(0, 0.25, int(dept_of.max()) + 1)
    for index in range(waves):
        month = 11 - 3 * (waves - 1 - index)
        year = 2026 + (month - 1) // 12
        opens = dt.date(year, (month - 1) % 12 + 1, 1)
        wave = Wave(public_id=secrets.token_hex(8), survey_id=survey.id,
                    label=f"{opens:%Y-%m} pulse", opens_on=opens,
                    closes_on=opens + dt.timedelta(days=13), closed=True, min_group_size=5,
                    min_comment_group_size=10, invited_count=staff, responded_count=0,
                    cell_design=design.to_dict())
        session.add(wave)
        session.flush()
        for position, entry in enumerate(survey.entries):
            session.add(WaveItem(wave_id=wave.id, item_id=entry.item.id, position=position))
        session.flush()
        session.refresh(wave)
        specs = item_specs(wave)
        sizes = rng.multinomial(staff, weights)
        responded = 0
        cells = [WaveCell(wave_id=wave.id, key=key, invited=int(invited))
                 for key, invited in zip(keys, sizes, strict=True)]
        session.add_all(cells)
        session.flush()
        for cell, invited, dept in zip(cells, sizes, dept_of, strict=True):
            n = int(rng.binomial(invited, 0.7))
            responded += n
            aggregate = build_cell_aggregate(_answers(rng, n, specs, index, effects[dept]), specs)
            session.add(StoredAggregate(wave_id=wave.id, cell_id=cell.id, responses=n,
                                      payload=aggregate.to_dict()))
        wave.responded_count = responded
        session.commit()


def _app(database: Path):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                       "SECRET_KEY": secrets.token_hex(16), "TOKEN_KEY": secrets.token_hex(32),
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def measure(database: Path) -> dict[str, float]:
    """Statistics, web page and PDF: first (cold) then repeated (warm), in this process."""
    from reports.quarterly import page as render
    from reports.quarterly.services import quarter_report
    from survey.db import db

    app = _app(database)
    out: dict[str, float] = {}
    with app.app_context():
        out["stats_cold_s"] = _timed(lambda: quarter_report(db.session, QUARTER))[0]
        out["stats_s"] = _timed(lambda: quarter_report(db.session, QUARTER))[0]
    client = app.test_client()
    client.post("/login", data={"email": "lead@bench.example", "password": "bench password 123"})
    for phase in ("cold", "warm"):
        render.TIMINGS.charts_s = render.TIMINGS.template_s = 0.0
        out[f"web_{phase}_s"], page = _timed(lambda: client.get(f"/reports/{QUARTER}"))
        out[f"charts_{phase}_s"] = render.TIMINGS.charts_s
        out[f"template_{phase}_s"] = render.TIMINGS.template_s
        out[f"pdf_{phase}_s"], pdf = _timed(lambda: client.get(f"/reports/{QUARTER}.pdf"))
        assert page.status_code == 200 and pdf.status_code == 200, (page.status_code,
                                                                     pdf.status_code)
    out["page_kb"], out["pdf_kb"] = len(page.data) / 1e3, len(pdf.data) / 1e3
    return out


def main() -> None:
    """Seed, then time the report in a fresh process (cold) and again in it (warm)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--waves", type=int, default=8)
    parser.add_argument("--units", type=int, default=0,
                        help="sections of ~staff/units people, 20 to a department "
                             "(default: 40 departments x 3 tenure bands)")
    parser.add_argument("--database", type=Path,
                        help="keep the seeded SQLite file here and reuse it when it exists")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    from survey.auth.services import create_user
    from survey.db import db

    database = args.database or Path(tempfile.mkdtemp(prefix="naranu-bench-")) / "bench.sqlite3"
    if not database.exists():
        app = _app(database)
        assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
        started = time.perf_counter()
        with app.app_context():
            seed(db.session, args.staff, args.waves, units=args.units)
            create_user(db.session, "lead@bench.example", "leadership", "bench password 123")
            db.session.commit()
            db.engine.dispose()
        seconds = time.perf_counter() - started
        print(f"seeded {args.staff} staff ({args.units or DEPARTMENTS * len(BANDS)} "
              f"units/cells) × {args.waves} waves in {seconds:.1f} s")

    # A fresh interpreter, so "cold" is the first report a newly started worker builds.
    child = subprocess.run([sys.executable, __file__, "--measure", str(database)],
                           check=True, capture_output=True, text=True)
    t = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"web page {t['page_kb']:.0f} kB, PDF {t['pdf_kb']:.0f} kB (fresh process)")
    print(f"cold: statistics {t['stats_cold_s']:.2f} s; web {t['web_cold_s']:.2f} s (charts "
          f"{t['charts_cold_s']:.2f} s, templates {t['template_cold_s']:.2f} s); "
          f"PDF {t['pdf_cold_s']:.2f} s")
    print(f"warm: statistics {t['stats_s']:.2f} s; web {t['web_warm_s']:.2f} s (charts "
          f"{t['charts_warm_s']:.2f} s, templates {t['template_warm_s']:.2f} s); "
          f"PDF {t['pdf_warm_s']:.2f} s   (targets: web < 3 s, PDF < 5 s)")
    print(json.dumps({"staff": args.staff, "web_s": round(t["web_warm_s"], 3),
                      "pdf_s": round(t["pdf_warm_s"], 3), "stats_s": round(t["stats_s"], 3),
                      "charts_s": round(t["charts_warm_s"], 3),
                      "template_s": round(t["template_warm_s"], 3),
                      "web_cold_s": round(t["web_cold_s"], 3),
                      "pdf_cold_s": round(t["pdf_cold_s"], 3),
                      "stats_cold_s": round(t["stats_cold_s"], 3)}))


if __name__ == "__main__":
    main()
