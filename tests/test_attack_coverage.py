"""Coverage attack: every route and every export, on a wave where some groups are below k.

Every route in ``app.url_map`` must be classified here; a new output path that is not
fails the test until someone says how its figures pass the gate. Routes that show
figures are requested as their allowed role, and any number about a group below k fails.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from reports.quarterly.services import quarters_with_waves
from reports.storage.load import all_waves
from survey.db import db
from survey.demo import DemoSpec, seed_demo
from tests.conftest import TOKEN_KEY

K = 5
FIGURES_JSON = {"reports.quarter_json"}
FIGURES_HTML = {"reports.home", "reports.quarter", "reports.wave"}
FIGURES_PDF = {"reports.quarter_pdf"}  # the same report model as the HTML page
FIGURES_EXPORT = {"hr.export"}
FIGURES_STAFF = {"results.organisation", "results.unit"}  # read links, no account
TOTALS_ONLY = {"admin.home"}  # whole-wave invited/answered counts
NO_FIGURES = {
    "results.latest",  # a redirect to the organisation's results page
    "static", "public.index", "public.transparency", "auth.login", "auth.logout",
    "answer.answer", "admin.open_wave_view", "admin.invitations_csv", "admin.send_invitations",
    "admin.wave_preview_view",  # roster sizes for the admin, no answers
    "admin.close", "admin.settings", "admin.attribute_labels", "admin.audit_log",
    "principles.index", "principles.create_principle", "principles.create_item",
    "principles.edit_item",
    "hr.home", "roster.upload",
    "schedule.edit",  # dates and outcomes of the schedule's actions, no counts
    "accounts.index", "accounts.toggle_active", "accounts.reset",
    "accounts.change_password_view", "accounts.set_password_view",
    "accounts.units",  # which units an account heads
    # Action plans: what units will do (text, dates, status), no figure of any answer.
    "plans.index", "plans.new", "plans.show", "plans.edit", "plans.update",
    # Two-factor sign-in: one's own second factor and the roles that need one, no figures.
    "auth.second_step", "twofactor.index", "twofactor.start", "twofactor.setup",
    "twofactor.confirm", "twofactor.switch_off", "twofactor_admin.required",
}
CLASSIFIED = (FIGURES_JSON | FIGURES_HTML | FIGURES_PDF | FIGURES_EXPORT | FIGURES_STAFF
              | TOTALS_ONLY | NO_FIGURES)


@pytest.fixture()
def seeded(app: Flask) -> dict[str, Any]:
    """Two closed waves where some groups fall below k; the true counts of every cell."""
    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=45, waves=2, seed=3, participation=0.45), TOKEN_KEY)
        waves = all_waves(db.session)
        return {"waves": waves, "quarters": [q.label for q in quarters_with_waves(db.session)]}


def test_every_route_is_classified(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - CLASSIFIED == set(), "classify the new route's output in this test"


def shown_ns(node: Any) -> list[int]:
    """Every ``n`` of every figure in a JSON answer."""
    if isinstance(node, dict):
        found = [node["n"]] if isinstance(node.get("n"), int) else []
        return found + [n for value in node.values() for n in shown_ns(value)]
    if isinstance(node, list):
        return [n for value in node for n in shown_ns(value)]
    return []


def test_json_api_shows_no_group_below_k(login, seeded: dict[str, Any]) -> None:
    client = login("leadership")
    for quarter in seeded["quarters"]:
        for by in ("", "department", "tenure_band"):
            reply = client.get(f"/api/v1/reports/{quarter}" + (f"?by={by}" if by else ""))
            assert reply.status_code == 200, (quarter, by)
            ns = shown_ns(reply.get_json())
            assert all(n >= K for n in ns), (quarter, by, sorted(ns)[:5])


def hidden_groups(seeded: dict[str, Any]) -> list[tuple[str, int]]:
    """(label value, true responses) of single-attribute groups with 1..k-1 responses."""
    out = []
    for wave in seeded["waves"]:
        for name in ("department", "tenure_band"):
            totals: dict[str, int] = {}
            for cell in wave.cells:
                value = dict(cell.key)[name]
                totals[value] = totals.get(value, 0) + cell.responses
            out += [(v, n) for v, n in totals.items() if 0 < n < K and v != "*"]
    return out


def test_html_pages_never_print_a_hidden_groups_count(login, seeded: dict[str, Any]) -> None:
    client = login("leadership")
    hidden = hidden_groups(seeded)
    assert hidden, "the seed must leave some group below k, or the test proves nothing"
    pages = ["/reports/"] + [f"/reports/{q}?by={b}" for q in seeded["quarters"]
                             for b in ("department", "tenure_band")]
    pages += [f"/reports/waves/{w.id}" for w in seeded["waves"]]
    for path in pages:
        reply = client.get(path)
        assert reply.status_code == 200, path
        html = reply.get_data(as_text=True)
        for row in re.findall(r"<tr.*?</tr>", html, flags=re.DOTALL):
            for value, n in hidden:
                if value in row:
                    text = re.sub(r"<[^>]+>", " ", row).replace(value, " ")  # "0-2年" is no count
                    numbers = re.findall(r"(?<![\d.])\d+(?![\d.])", text)
                    assert str(n) not in numbers or not numbers, (path, value, n, row[:300])


def test_unit_heads_pages_never_print_a_hidden_groups_count(
        app: Flask, seeded: dict[str, Any]) -> None:
    """A unit head of each department (some below k in some round): their unit's section
    prints only counts of at least k, and none at all for a department below k that round."""
    from survey.auth.services import create_user
    from survey.units.services import assign_units
    from tests.conftest import PASSWORD

    latest = {q: [w for w in seeded["waves"] if w.closed and w.quarter.label == q][-1]
              for q in seeded["quarters"]}
    small = {(q, dict(c.key)["department"]) for q, w in latest.items() for c in w.cells
             if 0 < sum(x.responses for x in w.cells
                        if dict(x.key)["department"] == dict(c.key)["department"]) < K}
    assert small, "some department must fall below k, or the test proves nothing"
    departments = sorted({dict(c.key)["department"] for w in seeded["waves"] for c in w.cells})
    for index, department in enumerate(departments):
        with app.app_context():
            user = create_user(db.session, f"head{index}@town.example.jp", "unit-head", PASSWORD)
            db.session.flush()
            assign_units(db.session, user, [(department,)])
            db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": f"head{index}@town.example.jp",
                                    "password": PASSWORD})
        for quarter in seeded["quarters"]:
            html = client.get(f"/reports/{quarter}?by=department&lang=en").get_data(as_text=True)
            section = html[html.index('id="unit-1"'):html.index('class="scope-heading"')]
            # The unit's own cells: the first figure of each principle's row (the second is
            # the organisation's), the trend data tables' notes, and the response rate.
            unit = "".join(re.findall(r"<tr><th scope=\"row\">.*?</th>(<td.*?</td>)", section,
                                      flags=re.DOTALL))
            unit += "".join(re.findall(r"<details class=\"chart-data\">.*?</details>", section,
                                       flags=re.DOTALL))
            counts = [int(n) for n in re.findall(r"n\s*=\s*(\d+)", unit)]
            counts += [int(n) for n in re.findall(r"\((\d+) of \d+\)", section)]
            assert all(n >= K for n in counts), (department, quarter, counts)
            if (quarter, department) in small:
                assert counts == [], (department, quarter, counts)


def test_staff_results_pages_never_print_a_count_below_k(app: Flask, seeded: dict[str, Any]
                                                        ) -> None:
    """Every results page of every quarter (the organisation, each department, each 係 and a
    unit that does not exist): every count it prints is of a group of at least k, and a
    department below k in that round prints no count at all."""
    from survey.results_links import results_path
    from tests.conftest import TOKEN_KEY as KEY

    client = app.test_client()
    seen = {"small": 0, "counted": 0}
    units = sorted({(dict(c.key)["department"], dict(c.key)["team"])
                    for w in seeded["waves"] for c in w.cells})
    for quarter in seeded["quarters"]:
        wave = [w for w in seeded["waves"] if w.closed and w.quarter.label == quarter][-1]
        sizes = {d: sum(c.responses for c in wave.cells if dict(c.key)["department"] == d)
                 for d, _t in units}
        for unit in [(), *{(d,) for d, _t in units}, *[u for u in units if u[1] != "*"],
                     ("nowhere",)]:
            reply = client.get(results_path(KEY, quarter, unit) + "&lang=en")
            assert reply.status_code == 200, (quarter, unit)
            text = re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))
            counts = [int(n) for n in re.findall(r"(\d+) of \d+ people", text)]
            assert all(n >= K for n in counts), (quarter, unit, counts)
            seen["counted"] += bool(counts and unit)
            if len(unit) == 1 and 0 < sizes.get(unit[0], 0) < K:
                seen["small"] += 1
                assert counts == [] and "%)" not in text, (quarter, unit)
    assert seen["small"] and seen["counted"], seen  # both branches were exercised


def test_pdf_is_built_from_the_gated_model(login, seeded: dict[str, Any]) -> None:
    client = login("leadership")
    reply = client.get(f"/reports/{seeded['quarters'][0]}.pdf")
    assert reply.status_code == 200 and reply.data.startswith(b"%PDF")


def export(client, wave_id: int, kind: str, fmt: str) -> list[list[Any]]:
    reply = client.post("/hr/export", data={
        "wave": wave_id, "kind": kind, "fmt": fmt, "comments": "y"})
    assert reply.status_code == 200, (kind, fmt)
    if fmt == "csv":  # a zip of plain CSV tables (and datapackage.json)
        with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
            return [row for name in archive.namelist() if name.endswith(".csv")
                    for row in csv.reader(io.StringIO(
                        archive.read(name).decode("utf-8-sig")))]
    book = load_workbook(io.BytesIO(reply.data))
    return [list(r) for sheet in book if sheet.title != "notes"
            for r in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_show_no_group_below_k(login, seeded: dict[str, Any], fmt: str) -> None:
    client = login("hr")
    for wave in seeded["waves"]:
        rows = export(client, wave.id, "aggregate", fmt)
        header = rows[0]
        for row in rows[1:]:
            record = dict(zip(header, row, strict=False))
            if record["status"] == "shown":
                assert int(record["n"]) >= K, record
            else:
                assert record["n"] == "suppressed", record
        rows = export(client, wave.id, "responses", fmt)
        attributes = [h for h in rows[0] if h in ("department", "tenure_band")]
        body = [r for r in rows[1:] if r[0] != "group"]
        answer_rows = [r for r in body if len(r) == len(rows[0])]
        classes: dict[tuple, int] = {}
        for row in answer_rows:
            key = tuple(row[: len(attributes)])
            classes[key] = classes.get(key, 0) + 1
        assert classes and min(classes.values()) >= K, classes
