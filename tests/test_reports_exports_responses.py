"""The response-level export's fast generaliser against a plain reference, row for row.

The reference below is the rule of :mod:`reports.exports._responses` written as literally as
possible: for each row, count the rows that share its class *and* sit inside exactly the same
published groups (asking every group about both rows), and coarsen one more attribute while
any such count is below k.  It is quadratic, which is why the product does not use it; the
product indexes groups once per export.  Both must agree on every generated organisation,
and the files the HR page and ``flask export`` write must carry exactly the reference's rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Sequence

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from reports import figures
from reports.exports import Respondent, generalise_rows, make_export
from reports.exports.service import load_respondents, published_groups
from reports.storage.load import fiscal_start_month, load_wave
from survey.db import begin_write, db
from survey.demo import DemoSpec, seed_demo
from survey.models import Response, Wave
from survey.waves.cells import GENERALISED, CellKey, generalise
from tests.conftest import TOKEN_KEY
from tests.orgs import town_halls


def reference_rows(respondents: Sequence[Respondent], attributes: Sequence[str],
                   hierarchy: Sequence[str], k: int, published: Sequence[frozenset[CellKey]]
                   ) -> tuple[Counter, int]:
    """(rows as a multiset of (class, answers), rows dropped), by the rule read literally."""
    if len(respondents) < k:
        return Counter(), len(respondents)
    units = [name for name in reversed(hierarchy) if name in attributes]
    others = sorted((a for a in attributes if a not in units),
                    key=lambda a: (-len({dict(r.cell).get(a) for r in respondents}), a))
    order = others + units
    for forced in range(len(order) + 1):
        people = [{name: GENERALISED if name in order[:forced] else value
                   for name, value in r.cell} for r in respondents]
        keys = generalise(people, [u for u in hierarchy if u in attributes],
                          [a for a in attributes if a not in hierarchy], k)

        if all(piece(respondents, keys, published, i) >= k for i in range(len(respondents))):
            return Counter((keys[i], tuple(sorted(r.answers.items())))
                           for i, r in enumerate(respondents)), 0
    return Counter(), len(respondents)


def piece(respondents: Sequence[Respondent], keys: Sequence[CellKey],
          published: Sequence[frozenset[CellKey]], i: int) -> int:
    """How many rows share row i's class and sit in exactly the same published groups."""
    return sum(1 for j in range(len(respondents)) if keys[j] == keys[i] and all(
        (respondents[i].cell in g) == (respondents[j].cell in g) for g in published))


def fast_rows(result) -> Counter:
    return Counter((key, tuple(sorted(answers.items()))) for key, answers in result.rows)


def stored_cells(rows: list[dict[str, str]], hierarchy: list[str], secondary: list[str],
                 k: int) -> list[CellKey]:
    """The cells a wave stores for these people (what the export starts from)."""
    return generalise(rows, hierarchy, secondary, k)


def published_by_attribute(cells: Sequence[CellKey], attributes: Sequence[str],
                           k: int) -> list[frozenset[CellKey]]:
    """Groups a report could show: the whole organisation, and per attribute each value's
    cells holding at least k rows."""
    counts = Counter(cells)
    groups = [frozenset(counts)]
    for name in attributes:
        by_value: dict[str, set[CellKey]] = {}
        for key in counts:
            by_value.setdefault(dict(key)[name], set()).add(key)
        groups += [frozenset(keys) for keys in by_value.values()
                   if sum(counts[c] for c in keys) >= k]
    return groups


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(town_halls(min_staff=8, max_staff=160), st.integers(3, 6), st.floats(0.4, 1.0),
       st.data())
def test_fast_generaliser_writes_exactly_the_reference_rows(org, k, share, data) -> None:
    rows, hierarchy, secondary = org
    attributes = [*hierarchy, *[s for s in secondary if s not in hierarchy]]
    cells = stored_cells(rows, hierarchy, secondary, k)
    answering = [i for i in range(len(rows)) if data.draw(st.floats(0, 1)) < share]
    respondents = [Respondent(cells[i], {1: i % 5 + 1, 2: i % 11}) for i in answering]
    published = published_by_attribute([r.cell for r in respondents], attributes, k)
    expected, dropped = reference_rows(respondents, attributes, hierarchy, k, published)
    result = generalise_rows(respondents, attributes, hierarchy, k, published)
    assert fast_rows(result) == expected
    assert result.dropped == dropped


def plain_respondents(wave: Wave) -> list[Respondent]:
    """Every response of ``wave`` read through the ORM relationships, one at a time."""
    cells = {cell.id: tuple(sorted(cell.key.items())) for cell in wave.cells}
    return [Respondent(cells[response.cell_id],
                       {a.item_id: a.value for a in response.answers if a.value is not None})
            for response in db.session.scalars(select(Response).where(Response.wave_id == wave.id))]


def respondent_key(respondent: Respondent) -> tuple:
    return respondent.cell, tuple(sorted(respondent.answers.items()))


def exported_rows(content: bytes, fmt: str) -> list[list[str]]:
    """The response table of an export file, every value as text ('' for a skipped item)."""
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            text = archive.read("responses.csv").decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(content), read_only=True)["responses"]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_export_files_carry_exactly_the_reference_rows(app: Flask) -> None:
    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=120, waves=2, seed=3), TOKEN_KEY)
        wave = db.session.query(Wave).order_by(Wave.id.desc()).first()
        data = load_wave(db.session, wave, fiscal_start_month())
        attributes, hierarchy = figures.attributes_of(data), figures.hierarchy_of(data)
        respondents = plain_respondents(wave)
        assert Counter(map(respondent_key, respondents)) == Counter(
            map(respondent_key, load_respondents(db.session, wave)))  # the streamed loader
        expected, _dropped = reference_rows(respondents, attributes, hierarchy, data.k,
                                            published_groups(figures.plan_for(data)))
        items = [e.item.id for e in wave.items if str(e.item.kind) != "comment"]
        wanted = Counter(
            (*(dict(key)[a] for a in attributes), *(str(dict(answers).get(i, "")) for i in items))
            for (key, answers), times in expected.items() for _ in range(times))
        for fmt in ("csv", "xlsx"):
            begin_write(db.session)
            made = make_export(db.session, wave.id, "responses", fmt, role="system")
            db.session.rollback()
            header, *rows = exported_rows(made.content, fmt)
            assert header[:len(attributes)] == attributes
            assert Counter(tuple(row) for row in rows) == wanted, fmt
