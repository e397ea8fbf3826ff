"""How much of each unit the department breakdown reports, on a town hall shaped like a
personnel file, through the product's own path (roster import → wave open → every invitee
answers through ``submit`` → close → ``quarter_report``).

The roster is the one of issue 10: 96 staff in 10 units, one 課長 per unit, a 係長 per five
people, the rest 一般, and a tenure band; everyone answers.  ``--code DIR`` runs another
checkout of naranu (e.g. the commit before unit-first cells) for the side-by-side baseline:

    python bench/unit_coverage.py                       # this checkout
    python bench/unit_coverage.py --code /tmp/base      # a baseline checkout

``--no-hierarchy`` imports the roster without naming its unit column, as a new user would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

SIZES = (14, 12, 11, 10, 9, 8, 8, 10, 6, 8)  # 96 staff
TENURE = ("0-4年", "5-14年", "15年以上")
SECRET = "bench-secret-key-0123456789abcdef"
TOKEN_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


def town_hall() -> list[dict[str, str]]:
    """96 people in 10 units: a 課長, a 係長 per five, the rest 一般, tenure bands."""
    rows, number = [], 0
    for unit, size in enumerate(SIZES):
        for i in range(size):
            role = "課長" if i == 0 else ("係長" if i % 5 == 1 else "一般")
            rows.append({"employee_id": f"T{number:04d}", "email": f"t{number:04d}@town.example.jp",
                         "department": f"{unit + 1:02d}課", "role": role,
                         "tenure_band": TENURE[(number * 7) % 3]})
            number += 1
    return rows


def run(code: Path, hierarchy: list[str] | None) -> dict[str, tuple[int, int | None]]:
    """Per unit: (invited, respondents its shown figure covers or None when not shown)."""
    sys.path.insert(0, str(code))
    from app import create_app
    from reports.quarterly.services import quarter_report
    from survey.answering.services import submit
    from survey.db import begin_write, db
    from survey.org_settings import current_thresholds, group_hierarchy
    from survey.principles.services import survey_by_name
    from survey.roster.services import import_roster
    from survey.waves.closing import close_wave
    from survey.waves.services import WavePlan, open_wave
    from survey.waves.tokens import derive_token

    folder = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": SECRET, "TOKEN_KEY": TOKEN_KEY, "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}"})
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    rows = town_hall()
    opens = dt.date(2026, 5, 1)
    with app.app_context():
        begin_write(db.session)
        import_roster(db.session, rows, hierarchy=hierarchy)
        wave = open_wave(db.session, survey_by_name(db.session, None),
                         WavePlan("bench", opens, opens + dt.timedelta(days=13)),
                         current_thresholds(db.session), group_hierarchy(db.session), TOKEN_KEY,
                         allow_past=True)
        items = [e.item for e in wave.items if e.item.kind != "comment"]
        for index, row in enumerate(rows):
            answers = {item.id: (index % 11 if item.kind == "nps11" else 1 + index % 5)
                       for item in items}
            submit(db.session, derive_token(TOKEN_KEY, wave.public_id, row["employee_id"]),
                   answers, on=opens)
        close_wave(db.session, wave)
        db.session.commit()
        report = quarter_report(db.session, "FY2026Q1", "department")
    shown = {dict(row.decision.label).get("department"): row.decision.n
             for row in report.groups if row.decision.shown}
    return {f"{u + 1:02d}課": (size, shown.get(f"{u + 1:02d}課")) for u, size in enumerate(SIZES)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="a naranu checkout (default: this one)")
    parser.add_argument("--no-hierarchy", action="store_true",
                        help="do not name the unit column at import")
    args = parser.parse_args()
    units = run(args.code, None if args.no_hierarchy else ["department"])
    print(f"{'unit':<8}{'staff':>6}{'in its figure':>15}")
    for name, (size, covered) in units.items():
        print(f"{name:<8}{size:>6}{'—' if covered is None else covered:>15}")
    reported = [u for u, (size, n) in units.items() if n is not None]
    whole = [u for u, (size, n) in units.items() if n == size]
    print(f"units shown: {len(reported)} of {len(units)}; shown with all their staff: "
          f"{len(whole)}; people in a shown unit's figure: "
          f"{sum(n for _s, n in units.values() if n)} of {sum(SIZES)}")


if __name__ == "__main__":
    main()
