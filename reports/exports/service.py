"""Build an export of a closed wave from the database and log it publicly.

Besides :mod:`reports.aggregation`, this is the only module of ``reports`` that reads stored
answers: the response-level export needs the rows themselves.  It reads them only for closed
waves (whose storage order was scrambled at close) and hands them to the pure generaliser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports import figures
from reports.context import fiscal_start_month
from reports.disclosure import DisclosurePlan
from reports.exports._aggregate import aggregate_sheet, group_text
from reports.exports._responses import Respondent, generalise_rows
from reports.exports._sheets import Sheet, Value, to_csv, to_xlsx
from reports.figures import MeasureKey
from reports.loading import WaveData, load_comments, load_wave
from survey import audit
from survey.models import Answer, ItemKind, Principle, Response, Wave
from survey.settings import group_hierarchy

E = TypeVar("E", bound=StrEnum)


class ExportKind(StrEnum):
    """What an export holds."""

    RESPONSES = "responses"
    AGGREGATE = "aggregate"


class ExportFormat(StrEnum):
    """The file format of an export."""

    CSV = "csv"
    XLSX = "xlsx"


MIMETYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportError(ValueError):
    """Why an export was refused: ``unknown_wave``, ``wave_not_closed``, ``bad_kind``, …"""


@dataclass(frozen=True)
class ExportFile:
    """A finished export: bytes, a download name, and how many response rows it left out."""

    content: bytes
    filename: str
    mimetype: str
    dropped: int = 0


def make_export(session: Session, wave_id: int, kind: str, fmt: str, *, comments: bool = False,
                role: str, actor_id: int | None = None) -> ExportFile:
    """Export a closed wave and record a public ``export_made`` event; the caller commits."""
    kind, fmt = _parse(ExportKind, kind, "bad_kind"), _parse(ExportFormat, fmt, "bad_format")
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise ExportError("unknown_wave")
    if not wave.closed:
        raise ExportError("wave_not_closed")
    data = load_wave(session, wave, fiscal_start_month())
    hierarchy = group_hierarchy(session)
    if kind is ExportKind.AGGREGATE:
        sheets, dropped = [aggregate_sheet(data, hierarchy, _titles(session, wave))], 0
    else:
        sheets, dropped = _response_sheets(session, wave, data, hierarchy, comments)
    content = to_csv(sheets) if fmt is ExportFormat.CSV else to_xlsx(sheets)
    audit.record(session, "export_made", role, actor_id, kind=str(kind), wave=wave.label,
                 format=str(fmt), comments=bool(comments and kind is ExportKind.RESPONSES))
    return ExportFile(content, f"naranu-wave{wave.id}-{kind}.{fmt}", MIMETYPES[fmt], dropped)


def _parse(enum: type[E], value: str, code: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise ExportError(code) from None


def _titles(session: Session, wave: Wave) -> dict[MeasureKey, str]:
    titles: dict[MeasureKey, str] = {p.code: p.title_ja for p in session.scalars(select(Principle))}
    titles.update({e.item.id: e.item.text_ja for e in wave.items})
    return titles


def _response_sheets(session: Session, wave: Wave, data: WaveData, hierarchy: Sequence[str],
                     comments: bool) -> tuple[list[Sheet], int]:
    attributes = figures.attributes_of(data)
    plan = figures.plan_for(data, hierarchy)
    items = [e.item for e in wave.items if e.item.kind in (ItemKind.LIKERT5, ItemKind.NPS11)]
    result = generalise_rows(load_respondents(session, wave), attributes, hierarchy, data.k,
                             published_groups(plan))
    header = (*attributes, *(f"{i.key}{' (R)' if i.reverse else ''}" for i in items))
    rows: list[tuple[Value, ...]] = [
        (*(value for _name, value in key), *(answers.get(i.id, "") for i in items))
        for key, answers in result.rows]
    notes = (f"naranu response-level export; wave {wave.label}; k={data.k}",
             "one row per response in random order; no id, link or time; '*' = generalised; "
             "(R) = reverse-worded item, values as answered",
             f"rows dropped (fewer than k responses in the whole wave): {result.dropped}")
    sheets = [Sheet("responses", header, rows, notes)]
    if comments:
        sheets.append(_comment_sheet(session, data, plan, hierarchy))
    return sheets, result.dropped


def published_groups(plan: DisclosurePlan) -> list[frozenset[tuple[tuple[str, str], ...]]]:
    """The cells of every group the gate shows, in any breakdown."""
    return [frozenset(d.cells) for b in plan.breakdowns for d in plan.groups(b) if d.shown]


def load_respondents(session: Session, wave: Wave) -> list[Respondent]:
    """Every response of a closed wave with its stored cell key and scored answers."""
    keys = {cell.id: tuple(sorted(cell.key.items())) for cell in wave.cells}
    cells = {rid: cell_id for rid, cell_id in session.execute(
        select(Response.id, Response.cell_id).where(Response.wave_id == wave.id))}
    answers: dict[object, dict[int, int]] = {rid: {} for rid in cells}
    rows = session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave.id, Answer.value.is_not(None)))
    for response_id, item_id, value in rows:
        answers[response_id][item_id] = value
    return [Respondent(keys[cells[rid]], given) for rid, given in answers.items()]


def _comment_sheet(session: Session, data: WaveData, plan: DisclosurePlan,
                   hierarchy: Sequence[str]) -> Sheet:
    by_key: dict[tuple[tuple[str, str], ...], list[str]] = {c.key: [] for c in data.cells}
    keys = {c.id: c.key for c in data.cells}
    for cell_id, texts in load_comments(session, data.id).items():
        by_key[keys[cell_id]].extend(texts)
    breakdown = tuple(hierarchy[:1]) if hierarchy[:1] and hierarchy[0] in plan.attributes else ()
    rows: list[tuple[Value, ...]] = []
    for group in plan.comments(breakdown, by_key):
        if group.shown:
            rows.extend((group_text(group.label), text) for text in group.comments)
        else:
            rows.append((group_text(group.label), f"suppressed: {group.reason_code}"))
    notes = (f"free-text comments; only groups with at least {data.k_comments} responses; "
             "random order; not linked to the response rows",)
    return Sheet("comments", ("group", "comment"), rows, notes)
