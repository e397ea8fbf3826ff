"""Time a large XLSX roster import, cold, beside openpyxl and pandas reading the same file.

    .venv/bin/python bench/roster_xlsx.py [--people 199000] [--seed 1]

Generates (once, cached in the system temp directory) a realistic roster workbook: 部 → 課 →
係, units of about twenty with one 課長 who belongs to the 課 itself, 係 of 2–4 led by a 係長,
role, tenure band, employment type, a join date (a real date cell) and a concurrent post here
and there, with its text in a shared-string table as Excel writes it.  Then each reader runs
in a fresh Python process (cold: nothing imported, nothing cached) and reports its wall time,
its peak resident memory and its resident memory once the import is over and its result
dropped (what a long-lived worker keeps):

- ``import``: the product's own path, ``flask --app app roster import FILE`` on an empty
  SQLite database (parse with ``survey.roster.parsing.parse_roster``, write, commit);
- ``parse``: ``parse_roster`` alone, the part that used openpyxl (``parse@base``: the same
  function in the checkout given with ``--baseline-code``, e.g. the commit before the
  streaming reader);
- ``stream``: ``survey.roster.xlsx.first_sheet_rows`` alone, the cell values without checks;
- ``openpyxl``: ``load_workbook(read_only=True, data_only=True)`` and ``iter_rows``, as the
  parser read rosters before: the baseline for ``stream``;
- ``pandas``: ``pandas.read_excel(engine="openpyxl")``, the common way to read such a file.

"after MB" is the resident memory once the result is dropped and collected, "trimmed" the
same after ``malloc_trim(0)`` (what a worker could give back to the system at most).

Measured on the shared 2-core development machine (load average 5-7 from other work),
199,000 people, 8.8 MB, ``--baseline-code`` = an export of 1ad1644 (openpyxl read-only):

    reader      seconds  peak MB  after MB  trimmed     rows
    import        112.9      696       245      211
    parse          25.8      371        61       43   199000
    parse@base     45.5      383       112       92   199000
    stream         17.2      143        42       41   199001
    openpyxl       27.7      195        86       86   199001
    pandas         42.2      221       145      126   199000

Of the import, about 20 s is the database write and most of the rest the preview line the
command prints afterwards (``unit_counts``: a wave design over 199,000 people).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import xlsx_files  # noqa: E402  (the same writer as the tests)

HEADER: list[object] = ["職員番号", "メールアドレス", "部", "課", "係", "役職", "在職年数",
                        "雇用形態", "入庁日", "兼務"]
TENURE = ("0-4年", "5-14年", "15年以上")
EMPLOYMENT = ("正規", "正規", "正規", "会計年度任用", "再任用")

CHILD = r"""
import gc, json, resource, sys, time
mode, path, settings, code = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
sys.path.insert(0, code)
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before = rss_mb()
started = time.perf_counter()
if mode == "import":
    from app import create_app
    app = create_app(settings)
    with app.app_context():
        app.cli.main(["roster", "import", path], standalone_mode=False)
    result = None
elif mode == "stream":
    import zipfile
    from survey.roster.xlsx import first_sheet_rows
    with zipfile.ZipFile(path) as archive:
        result = list(first_sheet_rows(archive, 53, 1048576))
elif mode.startswith("parse"):
    from survey.roster.parsing import parse_roster
    result = parse_roster(path, open(path, "rb").read())
elif mode == "openpyxl":
    from openpyxl import load_workbook
    workbook = load_workbook(path, read_only=True, data_only=True)
    result = list(workbook.worksheets[0].iter_rows(max_col=53, values_only=True))
    workbook.close()
else:
    import pandas
    result = pandas.read_excel(path, engine="openpyxl", dtype=str)
elapsed = time.perf_counter() - started
rows = len(result) if result is not None else None
del result
gc.collect()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
after = rss_mb()
import ctypes
ctypes.CDLL("libc.so.6").malloc_trim(0)
print(json.dumps({"mode": mode, "seconds": elapsed, "peak_mb": peak, "start_mb": before,
                  "after_mb": after, "trimmed_mb": rss_mb(), "rows": rows}))
"""


def people(count: int, rng: random.Random) -> list[list[object]]:
    """``count`` rows of a town-hall-like organisation, units of about twenty."""
    rows: list[list[object]] = []
    department = 0
    while len(rows) < count:
        department += 1
        bu = f"{department:03d}部"
        for unit in range(1, rng.randint(3, 8) + 1):
            ka = f"{bu}{unit:02d}課"
            rows.append(_person(len(rows), bu, ka, None, "課長", rng))
            size, target = 1, rng.randint(16, 24)
            for team_number in range(1, 10):
                if size >= target:
                    break
                for position in range(rng.randint(2, 4)):
                    role = "係長" if position == 0 else "一般"
                    rows.append(_person(len(rows), bu, ka, f"{ka}{team_number}係", role, rng))
                    size += 1
    return rows[:count]


def _person(index: int, bu: str, ka: str, team: str | None, role: str,
            rng: random.Random) -> list[object]:
    joined = dt.date(1985, 4, 1) + dt.timedelta(days=rng.randint(0, 14000))
    concurrent = f"{bu}{rng.randint(1, 3):02d}課" if rng.random() < 0.01 else None
    return [10_000_000 + index, f"staff{index:07d}@town.example.jp", bu, ka, team, role,
            rng.choice(TENURE), rng.choice(EMPLOYMENT), joined,
            None if concurrent == ka else concurrent]


def workbook(count: int, seed: int) -> Path:
    """The cached roster workbook of ``count`` people (written once per size and seed)."""
    path = Path(tempfile.gettempdir()) / f"naranu-roster-{count}-{seed}.xlsx"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_excel_like(partial, [HEADER, *people(count, random.Random(seed))])
        partial.rename(path)
    return path


def write_excel_like(path: Path, rows: list[list[object]]) -> None:
    """An .xlsx shaped as Excel saves one: text in a shared-string table, dates as serials
    with a date style.  (openpyxl writes inline strings, which no HR system's export has.)"""
    strings: dict[str, int] = {}
    sheet = [f'<row r="{number}" spans="1:{len(HEADER)}">'
             + "".join(_cell(f"{column}{number}", value, strings)
                       for column, value in zip("ABCDEFGHIJ", row, strict=True)) + "</row>"
             for number, row in enumerate(rows, start=1)]
    path.write_bytes(xlsx_files.workbook(sheet, [xlsx_files.text_item(s) for s in strings]))


def _cell(reference: str, value: object, strings: dict[str, int]) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        serial = (value - dt.date(1899, 12, 30)).days
        return f'<c r="{reference}" s="1"><v>{serial}</v></c>'
    if isinstance(value, int):
        return f'<c r="{reference}"><v>{value}</v></c>'
    index = strings.setdefault(str(value), len(strings))
    return f'<c r="{reference}" t="s"><v>{index}</v></c>'


def measure(mode: str, path: Path, settings: dict[str, object],
            code: Path = ROOT) -> dict[str, object]:
    """Run one reader in a fresh process on the code at ``code``; its last line is the figures."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), json.dumps(settings), str(code)],
        cwd=code, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=199_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default="import,parse,stream,openpyxl,pandas")
    parser.add_argument("--baseline-code", type=Path, default=None,
                        help="a checkout whose parse_roster to time too (e.g. before this change)")
    args = parser.parse_args()
    started = time.perf_counter()
    path = workbook(args.people, args.seed)
    print(f"roster: {path} ({path.stat().st_size / 2**20:.1f} MB, {args.people} people; "
          f"ready in {time.perf_counter() - started:.1f} s)")
    with tempfile.TemporaryDirectory() as directory:
        settings = {"SECRET_KEY": "bench" * 8, "TOKEN_KEY": "ab" * 32,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.db",
                    "ROSTER_MAX_ROWS": 200_000}
        measure_init(settings)
        print(f"{'reader':<10} {'seconds':>8} {'peak MB':>8} {'after MB':>9} {'trimmed':>8} "
              f"{'rows':>8}")
        runs = [(mode, ROOT) for mode in args.modes.split(",")]
        if args.baseline_code:
            runs.insert(2, ("parse@base", args.baseline_code.resolve()))
        for mode, code in runs:
            figures = measure(mode, path, settings, code)
            print(f"{mode:<10} {figures['seconds']:>8.1f} {figures['peak_mb']:>8.0f} "
                  f"{figures['after_mb']:>9.0f} {figures['trimmed_mb']:>8.0f} "
                  f"{figures['rows'] or '':>8}")


def measure_init(settings: dict[str, object]) -> None:
    """An empty, migrated database for the ``import`` reader (not timed)."""
    code = ("import json, sys\nfrom app import create_app\n"
            "app = create_app(json.loads(sys.argv[1]))\n"
            "with app.app_context():\n    app.cli.main(['init-db'], standalone_mode=False)\n")
    subprocess.run([sys.executable, "-c", code, json.dumps(settings)], cwd=ROOT, check=True,
                   capture_output=True)


if __name__ == "__main__":
    main()
