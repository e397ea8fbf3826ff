"""Build an export of a closed wave from the database and log it publicly.

The response-level export needs the answer rows themselves: it asks the storage boundary
(:func:`reports.storage.load.load_response_answers`) for them, only for closed waves (whose
storage order was scrambled at close), and hands them to the pure generaliser.

The export's language is an argument, not the ambient request: the HR page passes the page's
locale and the command line its ``--lang``; every sheet is built under that locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TypeVar

from flask_babel import force_locale
from sqlalchemy import select

from reports import figures
from reports.aggregates import Measure, WaveData
from reports.disclosure import CommentGroup, DisclosurePlan
from reports.exports import _text
from reports.exports._aggregate import aggregate_sheet
from reports.exports._responses import Respondent, generalise_rows
from reports.exports._sheets import Sheet, Value, to_package, to_xlsx
from reports.exports._text import group_text
from reports.exports.choices import (
    MIMETYPES,
    ExportError,
    ExportFile,
    ExportFormat,
    ExportKind,
    ExportLanguage,
)
from reports.storage.load import (
    fiscal_start_month,
    load_comments,
    load_response_answers,
    load_wave,
)
from survey import audit
from survey.db import DbSession
from survey.i18n import localized
from survey.models import Item, ItemKind, Principle, Wave
from survey.roster.labels import attribute_labels
from survey.waves.cells import CellKey

E = TypeVar("E", bound=StrEnum)


def make_export(session: DbSession, wave_id: int, kind: str, fmt: str, *, comments: bool = False,
                role: str, actor_id: int | None = None, lang: str = "ja") -> ExportFile:
    """Export a closed wave in ``lang``; record a public ``export_made`` event; caller commits."""
    kind, fmt = _parse(ExportKind, kind, "bad_kind"), _parse(ExportFormat, fmt, "bad_format")
    language = _parse(ExportLanguage, lang, "bad_language")
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise ExportError("unknown_wave", wave=wave_id)
    if not wave.closed:
        raise ExportError("wave_not_closed", wave=wave_id)
    with force_locale(str(language)):
        sheets, dropped = _sheets(session, wave, kind, comments)
    name = f"naranu-wave{wave.id}-{kind}"
    content = to_package(sheets, name) if fmt is ExportFormat.CSV else to_xlsx(sheets)
    audit.record(session, "export_made", role, actor_id, kind=str(kind), wave=wave.label,
                 format=str(fmt), comments=bool(comments and kind is ExportKind.RESPONSES))
    suffix = "zip" if fmt is ExportFormat.CSV else str(fmt)
    return ExportFile(content, f"{name}.{suffix}", MIMETYPES[fmt], dropped)


def closed_waves(session: DbSession) -> list[Wave]:
    """Waves that can be exported (closed ones), newest first."""
    return list(session.scalars(
        select(Wave).where(Wave.closed.is_(True)).order_by(Wave.closes_on.desc(), Wave.id.desc())))


def _sheets(session: DbSession, wave: Wave, kind: ExportKind,
            comments: bool) -> tuple[list[Sheet], int]:
    """The export's tables (in the current locale) and how many response rows were dropped."""
    data = load_wave(session, wave, fiscal_start_month())
    hierarchy = figures.hierarchy_of(data)
    if kind is ExportKind.AGGREGATE:
        return [aggregate_sheet(data, _titles(session, wave))], 0
    return _response_sheets(session, wave, data, hierarchy, comments)


def _parse(enum: type[E], value: str, code: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise ExportError(code) from None


def _titles(session: DbSession, wave: Wave) -> dict[Measure, str]:
    """Principle titles and item wording in the current locale."""
    titles = {Measure(principle=p.code): localized(p.title_ja, p.title_en)
              for p in session.scalars(select(Principle))}
    titles.update({Measure(item_id=e.item.id): localized(e.item.text_ja, e.item.text_en)
                   for e in wave.items})
    return titles


def _response_sheets(session: DbSession, wave: Wave, data: WaveData, hierarchy: Sequence[str],
                     comments: bool) -> tuple[list[Sheet], int]:
    attributes = figures.attributes_of(data)
    plan = figures.plan_for(data)
    items = [e.item for e in wave.items if e.item.kind in (ItemKind.LIKERT5, ItemKind.NPS11)]
    result = generalise_rows(load_respondents(session, wave), attributes, hierarchy, data.k,
                             published_groups(plan))
    columns = {_item_column(i): _item_label(i) for i in items}
    header = (*attributes, *columns)
    values: dict[CellKey, tuple[str, ...]] = {}
    ids = [i.id for i in items]
    rows: list[tuple[Value, ...]] = []
    for key, answers in result.rows:
        if key not in values:
            values[key] = tuple(dict(key)[name] for name in attributes)
        rows.append((*values[key], *(answers.get(i, "") for i in ids)))
    notes = _text.response_notes(wave.label, data.k, result.dropped)
    labels = _text.column_labels(header, {**attribute_labels(session, attributes), **columns})
    sheets = [Sheet("responses", header, rows, notes, labels)]
    if comments:
        sheets.append(_comment_sheet(session, data, plan, hierarchy))
    return sheets, result.dropped


def _item_column(item: Item) -> str:
    """The stable key of an item's column: its key, ``(R)`` when reverse-worded."""
    return f"{item.key}{' (R)' if item.reverse else ''}"


def _item_label(item: Item) -> str:
    """An item's column as people read it: its wording in the current locale."""
    return _text.item_label(localized(item.text_ja, item.text_en), item.reverse)


def published_groups(plan: DisclosurePlan) -> list[frozenset[tuple[tuple[str, str], ...]]]:
    """The cells of every group the gate shows, in any breakdown."""
    return [frozenset(d.cells) for b in plan.breakdowns for d in plan.groups(b) if d.shown]


def load_respondents(session: DbSession, wave: Wave) -> list[Respondent]:
    """Every response of a closed wave with its stored cell key and scored answers."""
    return [Respondent(key, given) for key, given in load_response_answers(session, wave)]


def _comment_sheet(session: DbSession, data: WaveData, plan: DisclosurePlan,
                   hierarchy: Sequence[str]) -> Sheet:
    by_key: dict[tuple[tuple[str, str], ...], list[str]] = {c.key: [] for c in data.cells}
    keys = {c.id: c.key for c in data.cells}
    for cell_id, texts in load_comments(session, data.id).items():
        by_key[keys[cell_id]].extend(texts)
    # By the broadest unit where any unit clears k_comments; else the whole organisation's
    # comments in one group, rather than every comment withheld unit by unit.
    breakdown = tuple(hierarchy[:1]) if hierarchy[:1] and hierarchy[0] in plan.attributes else ()
    groups = plan.comments(breakdown, by_key)
    if breakdown and not any(group.shown for group in groups):
        groups = plan.comments((), by_key)
    rows: list[tuple[Value, ...]] = []
    for group in groups:
        if group.shown:
            rows.extend((group_text(group.label), text) for text in group.comments)
        else:
            rows.append((group_text(group.label), _withheld(group, data.k_comments)))
    header = ("group", "comment")
    return Sheet("comments", header, rows, _text.comment_notes(data.k_comments),
                 _text.column_labels(header))


def _withheld(group: CommentGroup, k_comments: int) -> str:
    """What stands in a hidden group's comment column: the code and why, localised."""
    reason = _text.hidden_reason(group.reason_code, k_comments, group.rolled_into, people=True)
    return _text.suppressed_comments(str(group.reason_code), reason)
